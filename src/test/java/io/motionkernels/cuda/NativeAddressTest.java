package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.junit.jupiter.api.Test;

/** The JCuda-to-JavaCPP pointer hand-over, on values only (no driver needed). */
class NativeAddressTest {
    @Test
    void readsJCudaPointerValuesIncludingByteOffsets() {
        assertEquals(0, NativeAddress.of(new CUstream()));
        assertEquals(0, NativeAddress.of(new CUdeviceptr()));
        assertEquals(48, NativeAddress.of(new CUdeviceptr().withByteOffset(16).withByteOffset(32)));
    }

    @Test
    void makesJavaCppPointersWithTheSameAddress() {
        assertEquals(0x7f00_1234_5600L, NativeAddress.pointer(0x7f00_1234_5600L).address());
    }
}
