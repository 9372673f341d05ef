package io.motionkernels.bench;


import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Process CPU time per animated frame, beside wall time: on a machine shared with other work, wall
 * time measures the neighbours as much as the engine, while the CPU time the engine spends per
 * frame moves much less (it still grows with cache and memory contention, so compare variants run
 * alternately). Not a JMH benchmark: JMH's figures are wall time. The workload is ModelBench's
 * (prng weights 7, inputs 20/21/22, relative animation, the reference frame outside the measurement).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar io.motionkernels.bench.FrameCpuTime \
 *       CONFIG FRAMES_PER_CALL CALLS [WARMUP_SECONDS]
 * </pre>
 */
public final class FrameCpuTime {
    private FrameCpuTime() {
    }

    public static void main(String[] args) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (StreamWorkload w = StreamWorkload.fromArgs("FrameCpuTime", "nemo 32 8 15", args, 15, 0)) {
            if (w == null) {
                return;
            }
            String name = w.config;
            int n = w.framesPerCall;
            int calls = w.calls;
            double[] wall = new double[calls];
            double[] cpu = new double[calls];
            for (int r = 0; r < calls; r++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                w.call();
                wall[r] = (System.nanoTime() - t0) / 1e6 / n;
                cpu[r] = (os.getProcessCpuTime() - c0) / 1e6 / n;
            }
            Arrays.sort(wall);
            Arrays.sort(cpu);
            System.out.printf(Locale.ROOT, "%s, %d frames per call, %d calls: wall ms/frame median %.2f min %.2f;"
                    + " process CPU ms/frame median %.2f min %.2f%n", name, n, calls, wall[calls / 2], wall[0],
                    cpu[calls / 2], cpu[0]);
        }
    }
}
