package io.motionkernels.bench;

import io.motionkernels.cpu.Conv2d;
import io.motionkernels.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link KernelBench#convBlock}'s blocks and {@link BoundsBench}'s FMA peak loop in one thread, in
 * FLOPs per second of that thread's CPU time: on a machine shared with other processes, the time
 * slices they take do not count (JMH's wall-clock rates there mostly measure the load). Run with
 * {@code -XX:ActiveProcessorCount=1}, so that the engine's parallel loops run inline:
 *
 * <pre>java --add-modules jdk.incubator.vector -XX:ActiveProcessorCount=1 -cp bench/target/benchmarks.jar \
 *     io.motionkernels.bench.CpuTimeConv 300</pre>
 * (CPU milliseconds per measured slice; each rate is the best of 5 slices after a warm-up of 2).
 */
public final class CpuTimeConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final String[] SHAPES = {"c256to64at32", "c45to45at64", "c45to45at256", "c512to512at4",
        "up512to512at2", "up1024to256at4"};

    private CpuTimeConv() {
    }

    public static void main(String[] args) {
        double ms = Double.parseDouble(args[0]);
        float[] sink = new float[1];
        int iter = 1 << 20;
        long peakFlops = 2L * 8 * S.length() * iter;
        double peak = rate(() -> sink[0] += BoundsBench.vectorChains(1, iter), peakFlops, ms);
        System.out.printf("RESULT fmaPeak %.1f GFLOP/s%n", peak / 1e9);
        for (String shape : SHAPES) {
            KernelBench.ConvBlock blk = KernelBench.ConvBlock.of(shape);
            Conv2d conv = blk.conv();
            Tensor x = blk.input();
            int out = blk.up() ? 2 * blk.hw() : blk.hw();
            long flops = Work.conv(1, blk.cin(), blk.cout(), 3, out, out).flops();
            double r = rate(() -> sink[0] += (blk.up() ? conv.applyUpsampled2x(x) : conv.apply(x)).data()[0], flops, ms);
            System.out.printf("RESULT %s %.1f GFLOP/s %.1f%% of peak%n", shape, r / 1e9, 100 * r / peak);
        }
        // the peak again: whether the machine's state moved during the run
        peak = rate(() -> sink[0] += BoundsBench.vectorChains(2, iter), peakFlops, ms);
        System.out.printf("RESULT fmaPeak2 %.1f GFLOP/s%n", peak / 1e9);
    }

    /** FLOPs per CPU second of this thread: the best of 5 slices of about cpuMs each, after 2 slices of warm-up. */
    private static double rate(Runnable op, long flopsPerOp, double cpuMs) {
        long end = MX.getCurrentThreadCpuTime() + (long) (cpuMs * 2e6);
        while (MX.getCurrentThreadCpuTime() < end) {
            op.run();
        }
        double best = 0;
        for (int s = 0; s < 5; s++) {
            long c0 = MX.getCurrentThreadCpuTime();
            long n = 0;
            while (MX.getCurrentThreadCpuTime() - c0 < cpuMs * 1e6) {
                op.run();
                n++;
            }
            long c1 = MX.getCurrentThreadCpuTime();
            best = Math.max(best, n * (double) flopsPerOp / ((c1 - c0) / 1e9));
        }
        return best;
    }
}
