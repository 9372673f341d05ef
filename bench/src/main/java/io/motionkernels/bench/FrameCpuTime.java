package io.motionkernels.bench;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;

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
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: FrameCpuTime CONFIG FRAMES_PER_CALL CALLS [WARMUP_SECONDS] (e.g. nemo 32 8 15)");
            return;
        }
        String name = args[0];
        int n = Integer.parseInt(args[1]);
        int calls = Integer.parseInt(args[2]);
        double warmup = args.length == 4 ? Double.parseDouble(args[3]) : 15;
        ModelConfig c = ModelConfig.published(name);
        int s = c.defaultSize();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (MotionModel m = MotionModel.create(c, Weights.prng(7), Backend.CPU);
             PreparedSource p = m.prepare(Inputs.uniform(20, 0f, 1f, 1, 3, 1, s, s))) {
            Animation a = p.animate(ModelConfig.Normalization.RELATIVE);
            ModelBench.requireFinite(a.next(Inputs.uniform(21, 0f, 1f, 1, 3, 1, s, s)));
            Tensor frames = Inputs.uniform(22, 0f, 1f, 1, 3, n, s, s);
            long end = System.nanoTime() + (long) (warmup * 1e9);
            while (System.nanoTime() < end) {
                a.next(frames);
            }
            double[] wall = new double[calls];
            double[] cpu = new double[calls];
            for (int r = 0; r < calls; r++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                ModelBench.requireFinite(a.next(frames));
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
