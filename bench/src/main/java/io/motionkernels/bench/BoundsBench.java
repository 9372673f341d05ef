package io.motionkernels.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The machine's bounds, measured in the same JMH run as the kernels and on all cores through the
 * same common fork-join pool the CPU engine uses: a STREAM-like copy (bandwidth) at three working
 * set sizes, a peak FMA loop (FLOP/s), once with SIMD (Vector API: what the hardware can do) and
 * once scalar (what Java code the JIT does not vectorise can do), and the throughput of
 * {@code Math.exp} in double, as the CPU engine calls it (softmax, kp2gaussian).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx6g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BoundsBench {
    static final int THREADS = ForkJoinPool.getCommonPoolParallelism() < 1 ? 1
            : Math.min(Runtime.getRuntime().availableProcessors(), ForkJoinPool.getCommonPoolParallelism() + 1);

    /** STREAM-like copy working sets. */
    @State(Scope.Benchmark)
    public static class Copy {
        /**
         * Total floats per array (two arrays, split evenly between threads). L2: fits one core's L2;
         * L3: well inside the shared L3; DRAM: far beyond every cache.
         */
        @Param({"L2", "L3", "DRAM"})
        public String level;

        float[][] src;
        float[][] dst;
        int repeats;
        Work work;

        @Setup
        public void setup() {
            int perThread = switch (level) {
                case "L2" -> (128 << 10) / Float.BYTES;           // 2 x 128 KiB per core
                case "L3" -> (4 << 20) / Float.BYTES / THREADS;   // 2 x 4 MiB in all
                case "DRAM" -> (256 << 20) / Float.BYTES / THREADS; // 2 x 256 MiB in all
                default -> throw new IllegalArgumentException(level);
            };
            // Small sets are copied many times per operation so the fork cost stays negligible.
            repeats = Math.max(1, (64 << 20) / Float.BYTES / (perThread * THREADS));
            src = new float[THREADS][perThread];
            dst = new float[THREADS][perThread];
            for (float[] a : src) {
                java.util.Arrays.fill(a, 1f);
            }
            work = Work.copy((long) perThread * THREADS * repeats);
        }
    }

    @Benchmark
    public float copy(Copy k, Counters c) {
        IntStream.range(0, THREADS).parallel().forEach(t -> {
            float[] s = k.src[t];
            float[] d = k.dst[t];
            for (int r = 0; r < k.repeats; r++) {
                for (int i = 0; i < s.length; i++) {
                    d[i] = s[i];
                }
            }
        });
        c.add(k.work);
        return k.dst[0][k.dst[0].length - 1];
    }

    /** An L1-resident block of exponents in [-8, 0] (softmax's range after the max shift), per thread. */
    @State(Scope.Benchmark)
    public static class Exp {
        static final int N = 4096;
        static final int REPEATS = 256;
        final float[][] in = new float[THREADS][];
        final double[][] out = new double[THREADS][N];
        final Work work = Work.exps((long) N * REPEATS * THREADS);

        @Setup
        public void setup() {
            for (int t = 0; t < THREADS; t++) {
                in[t] = Inputs.uniform(30 + t, -8f, 0f, N);
            }
        }
    }

    @Benchmark
    public double expThroughput(Exp e, Counters c) {
        IntStream.range(0, THREADS).parallel().forEach(t -> exps(e.in[t], e.out[t]));
        c.add(e.work);
        return e.out[0][0];
    }

    /**
     * The softmax kernel's form: exp(x * scale - shift) of a float, kept in double (a float store
     * right after the call measured up to 2.5x slower on this JDK, depending on the compilation).
     */
    private static void exps(float[] x, double[] y) {
        for (int r = 0; r < Exp.REPEATS; r++) {
            double scale = 1 + 1e-4 * r;
            double shift = 1e-3 * r;
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.exp(x[i] * scale - shift);
            }
        }
    }

    /** Peak FLOP/s: 8 independent FMA chains per thread hide the FMA latency. */
    @State(Scope.Benchmark)
    public static class Fma {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        static final int ITER = 1 << 22;
        static final int CHAINS = 8;
        final Work vectorWork = Work.of(0, 2L * CHAINS * S.length() * ITER * THREADS);
        final Work scalarWork = Work.of(0, 2L * 12 * ITER * THREADS);
    }

    @Benchmark
    public float fmaPeakSimd(Fma f, Counters c) {
        float[] out = new float[THREADS];
        IntStream.range(0, THREADS).parallel().forEach(t -> out[t] = vectorChains(t));
        c.add(f.vectorWork);
        return out[0];
    }

    @Benchmark
    public float fmaPeakScalar(Fma f, Counters c) {
        float[] out = new float[THREADS];
        IntStream.range(0, THREADS).parallel().forEach(t -> out[t] = scalarChains(t));
        c.add(f.scalarWork);
        return out[0];
    }

    private static float vectorChains(int seed) {
        return vectorChains(seed, Fma.ITER);
    }

    /** The peak loop, also CpuTimeConv's: 8 independent FMA chains of {@code iter} steps hide the FMA latency. */
    static float vectorChains(int seed, int iter) {
        VectorSpecies<Float> s = Fma.S;
        FloatVector m = FloatVector.broadcast(s, 0.999999f);
        FloatVector a = FloatVector.broadcast(s, 1e-7f);
        FloatVector x0 = FloatVector.broadcast(s, seed + 1f);
        FloatVector x1 = FloatVector.broadcast(s, seed + 2f);
        FloatVector x2 = FloatVector.broadcast(s, seed + 3f);
        FloatVector x3 = FloatVector.broadcast(s, seed + 4f);
        FloatVector x4 = FloatVector.broadcast(s, seed + 5f);
        FloatVector x5 = FloatVector.broadcast(s, seed + 6f);
        FloatVector x6 = FloatVector.broadcast(s, seed + 7f);
        FloatVector x7 = FloatVector.broadcast(s, seed + 8f);
        for (int i = 0; i < iter; i++) {
            x0 = x0.fma(m, a);
            x1 = x1.fma(m, a);
            x2 = x2.fma(m, a);
            x3 = x3.fma(m, a);
            x4 = x4.fma(m, a);
            x5 = x5.fma(m, a);
            x6 = x6.fma(m, a);
            x7 = x7.fma(m, a);
        }
        // a freshly broadcast receiver: x0 after the loop is a loop phi (see ConvDirect.exact)
        return FloatVector.broadcast(s, 1f).mul(x0).add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private static float scalarChains(int seed) {
        float m = 0.999999f;
        float a = 1e-7f;
        float x0 = seed + 1, x1 = seed + 2, x2 = seed + 3, x3 = seed + 4, x4 = seed + 5, x5 = seed + 6;
        float x6 = seed + 7, x7 = seed + 8, x8 = seed + 9, x9 = seed + 10, x10 = seed + 11, x11 = seed + 12;
        for (int i = 0; i < Fma.ITER; i++) {
            x0 = Math.fma(x0, m, a);
            x1 = Math.fma(x1, m, a);
            x2 = Math.fma(x2, m, a);
            x3 = Math.fma(x3, m, a);
            x4 = Math.fma(x4, m, a);
            x5 = Math.fma(x5, m, a);
            x6 = Math.fma(x6, m, a);
            x7 = Math.fma(x7, m, a);
            x8 = Math.fma(x8, m, a);
            x9 = Math.fma(x9, m, a);
            x10 = Math.fma(x10, m, a);
            x11 = Math.fma(x11, m, a);
        }
        return x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11;
    }
}
