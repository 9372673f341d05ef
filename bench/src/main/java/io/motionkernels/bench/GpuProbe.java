package io.motionkernels.bench;

import io.motionkernels.cuda.CudaAvailability;

/**
 * {@code java -cp benchmarks.jar io.motionkernels.bench.GpuProbe}: prints whether the CUDA backend
 * is usable here, and every check that ran; exit status 0 if usable, 2 if not. bench/run-gpu.sh
 * calls it first, so that a machine without CUDA stops with the reason, not a JMH stack trace.
 */
public final class GpuProbe {
    private GpuProbe() {
    }

    public static void main(String[] args) {
        CudaAvailability.Status s = CudaAvailability.probe();
        for (String c : s.checks()) {
            System.out.println("  " + c);
        }
        System.out.println(s);
        System.exit(s.usable() ? 0 : 2);
    }
}
