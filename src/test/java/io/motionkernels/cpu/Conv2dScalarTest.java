package io.motionkernels.cpu;

/** Every {@link Conv2dTest} case with the auto-vectorised scalar GEMM kernel. */
class Conv2dScalarTest extends Conv2dTest {
    @Override
    boolean vectorKernel() {
        return false;
    }
}
