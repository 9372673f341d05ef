package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CudaAvailabilityTest {
    /** Whether this machine has an NVIDIA driver; the development and CI machines have none. */
    private static boolean hasDriver() {
        return Stream.of("/dev/nvidiactl", "/proc/driver/nvidia/version").anyMatch(p -> Files.exists(Path.of(p)));
    }

    @Test
    void probeOnAMachineWithoutGpuSaysWhyCleanly() {
        assumeFalse(hasDriver(), "this machine has an NVIDIA driver; the GPU harness covers it");
        CudaAvailability.Status s = assertDoesNotThrow(CudaAvailability::probe);
        assertFalse(s.usable(), s.toString());
        assertNotNull(s.reason());
        assertFalse(s.reason().isBlank());
        assertTrue(s.checks().get(s.checks().size() - 1).startsWith("FAILED: "), s.checks().toString());
        // Here the jar either lacks the kernels (no nvcc) or has them and the driver is what is missing.
        if (KernelModule.fatbinPresent()) {
            assertTrue(s.reason().contains("libcuda.so.1"), s.reason());
        } else {
            assertTrue(s.reason().contains("not built"), s.reason());
        }
    }

    @Test
    void cudnnProbeWithoutDriverIsAnAnswerNotACrash() {
        assumeFalse(hasDriver(), "this machine has an NVIDIA driver");
        // JavaCPP unpacks its JNI libraries here rather than into the user's home.
        System.setProperty("org.bytedeco.javacpp.cachedir", Path.of("target", "javacpp-cache").toAbsolutePath().toString());
        String first = assertDoesNotThrow(CudaAvailability::probeCudnn);
        assertTrue(first.startsWith("!cuDNN 9 could not be loaded"), first);
        assertTrue(first.contains("LD_LIBRARY_PATH"), first);
        assertEquals(first, CudaAvailability.probeCudnn());
    }

    @Test
    void probeIsRepeatableAndStable() {
        // The JVM reports a second load of a failed native class differently; the reason must not change.
        CudaAvailability.Status a = CudaAvailability.probe();
        CudaAvailability.Status b = CudaAvailability.probe();
        assertEquals(a.usable(), b.usable());
        assertEquals(a.reason(), b.reason());
    }
}
