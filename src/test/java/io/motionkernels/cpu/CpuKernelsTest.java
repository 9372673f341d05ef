package io.motionkernels.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuKernelsTest {
    @Test
    void describesTheConvolutionInUseAndHowToGetTheFastOne() {
        assertTrue(ConvKernels.VECTOR_AVAILABLE, "surefire's argLine adds jdk.incubator.vector");
        boolean was = ConvKernels.useVector(true);
        try {
            assertTrue(CpuKernels.vectorConvolution());
            assertTrue(CpuKernels.describe().contains("Vector API"), CpuKernels.describe());
            System.out.println("CpuKernelsTest: " + CpuKernels.describe());
            ConvKernels.useVector(false);
            assertFalse(CpuKernels.vectorConvolution());
            assertTrue(CpuKernels.describe().contains(CpuKernels.VECTOR_OPTION), CpuKernels.describe());
        } finally {
            ConvKernels.useVector(was);
        }
    }
}
