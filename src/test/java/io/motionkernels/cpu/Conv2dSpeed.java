package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

import io.motionkernels.tensor.Tensor;

import java.util.Random;

/**
 * Micro-benchmark of {@link Conv2d} on the convolution shapes of the "nemo" model (one 64x64
 * frame). Not a test: run with
 * {@code java [--add-modules jdk.incubator.vector] -cp target/classes:target/test-classes
 * io.motionkernels.cpu.Conv2dSpeed [frames] [reps]} (the flag selects the Vector API kernel).
 * Prints the best-of-reps GFLOP/s per shape, since the machine is shared and timings are noisy:
 * by wall time, and by the process's CPU time, which other processes on the machine disturb less
 * (averaged over the repetitions, as the OS counts it in coarse ticks; flops over it is the rate
 * per busy core).
 */
public final class Conv2dSpeed {
    private Conv2dSpeed() {
    }

    /** cin, cout, size, kernel, groups, count (how many such convolutions one frame runs). */
    private static final int[][] SHAPES = {
        {3, 64, 64, 3, 1, 1}, {64, 128, 32, 3, 1, 1}, {128, 256, 16, 3, 1, 1}, {256, 512, 8, 3, 1, 1},
        {512, 512, 4, 3, 1, 1}, {512, 512, 4, 3, 1, 1}, {1024, 256, 8, 3, 1, 1}, {512, 128, 16, 3, 1, 1},
        {256, 64, 32, 3, 1, 1}, {128, 32, 64, 3, 1, 1}, {35, 10, 64, 3, 1, 1}, {44, 64, 64, 3, 1, 1},
        {45, 45, 64, 3, 1, 8}, {45, 3, 64, 1, 1, 1}, {44, 44, 64, 1, 11, 1},
    };

    public static void main(String[] args) {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        System.out.println("GEMM kernel: " + (ConvKernels.vector() ? "Vector API (ConvDirect)" : "scalar (GemmKernel)"));
        Random rnd = new Random(7);
        double totalFlops = 0;
        double totalSeconds = 0;
        double totalCpu = 0;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int[] s : SHAPES) {
            int cin = s[0];
            int cout = s[1];
            int size = s[2];
            int k = s[3];
            int groups = s[4];
            int count = s[5];
            float[] w = random(rnd, cout * (cin / groups) * k * k, 0.05f);
            float[] b = random(rnd, cout, 0.1f);
            Conv2d conv = Conv2d.of(w, b, cout, cin, k, k, groups).withActivation(Activation.RELU);
            Tensor x = Tensor.of(random(rnd, frames * cin * size * size, 1f), 1, cin, frames, size, size);
            double flops = 2.0 * cout * (cin / groups) * k * k * size * size * frames;
            // warm up until the JIT has compiled the kernels, then time; the first shape waits longer,
            // as the Vector API kernel runs orders of magnitude slower until C2 has compiled it
            long warmEnd = System.nanoTime() + (s == SHAPES[0] ? 2_000_000_000L : 400_000_000L);
            while (System.nanoTime() < warmEnd) {
                conv.apply(x);
            }
            long best = Long.MAX_VALUE;
            long c0 = os.getProcessCpuTime();
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                conv.apply(x);
                best = Math.min(best, System.nanoTime() - t0);
            }
            double sec = best * 1e-9;
            double cpu = (os.getProcessCpuTime() - c0) * 1e-9 / reps;
            totalFlops += flops * count;
            totalSeconds += sec * count;
            totalCpu += cpu * count;
            System.out.printf("%4d -> %4d @ %2dx%2d k%d g%-2d x%d frames %2d: wall %8.3f ms %6.2f GFLOP/s;"
                    + " cpu %8.3f ms %6.2f GFLOP/s per core%n",
                    cin, cout, size, size, k, groups, count, frames, sec * 1e3, flops / sec * 1e-9,
                    cpu * 1e3, flops / cpu * 1e-9);
        }
        System.out.printf("all listed convolutions (%.2f GFLOP): wall %.1f ms (%.2f GFLOP/s), cpu %.1f ms"
                + " (%.2f GFLOP/s per core)%n", totalFlops * 1e-9, totalSeconds * 1e3, totalFlops / totalSeconds * 1e-9,
                totalCpu * 1e3, totalFlops / totalCpu * 1e-9);
    }

    private static float[] random(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (rnd.nextFloat() * 2 - 1) * scale;
        }
        return a;
    }
}
