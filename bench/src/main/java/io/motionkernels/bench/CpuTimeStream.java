package io.motionkernels.bench;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link ModelBench#stream}'s work (same model, weights and inputs) timed per frame in wall time and
 * in process CPU time, with the CPU time of the calling thread and of the fork-join workers apart.
 * On a machine shared with other processes the wall time mostly measures them; the CPU time moves
 * much less. Not a JMH benchmark: one fresh JVM per run, so that JVMs can be compared.
 *
 * <pre>java --add-modules jdk.incubator.vector -Xmx8g -cp bench/target/benchmarks.jar \
 *     io.motionkernels.bench.CpuTimeStream vox 20 10</pre>
 * (configuration, warm-up frames, measured frames).
 */
public final class CpuTimeStream {
    private CpuTimeStream() {
    }

    public static void main(String[] args) {
        String config = args[0];
        int warm = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        ModelConfig c = ModelConfig.published(config);
        int size = c.defaultSize();
        try (MotionModel model = MotionModel.create(c, Weights.prng(7), Backend.CPU);
             PreparedSource prepared = model.prepare(Inputs.uniform(20, 0f, 1f, 1, 3, 1, size, size))) {
            Animation animation = prepared.animate(ModelConfig.Normalization.RELATIVE);
            Tensor frame = Inputs.uniform(21, 0f, 1f, 1, 3, 1, size, size);
            animation.next(frame);
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long w0 = System.nanoTime();
            for (int i = 0; i < warm; i++) {
                animation.next(frame);
            }
            long w1 = System.nanoTime();
            long caller0 = mx.getCurrentThreadCpuTime();
            Map<Long, Long> pool0 = poolCpu(mx);
            long cpu0 = os.getProcessCpuTime();
            long alloc0 = mx.getTotalThreadAllocatedBytes();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                animation.next(frame);
            }
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            long alloc1 = mx.getTotalThreadAllocatedBytes();
            long caller1 = mx.getCurrentThreadCpuTime();
            long pool = 0;
            for (Map.Entry<Long, Long> e : poolCpu(mx).entrySet()) {
                pool += e.getValue() - pool0.getOrDefault(e.getKey(), 0L);
            }
            System.out.printf("RESULT %s warm %.1f s: wall %.1f ms/frame, cpu %.1f ms/frame, alloc %.0f KB/frame, "
                            + "caller thread %.1f ms/frame, pool workers %.1f ms/frame%n", config, (w1 - w0) / 1e9,
                    (t1 - t0) / 1e6 / n, (cpu1 - cpu0) / 1e6 / n, (alloc1 - alloc0) / 1024.0 / n,
                    (caller1 - caller0) / 1e6 / n, pool / 1e6 / n);
        }
    }

    /** CPU time so far of every fork-join worker thread, by thread id. */
    private static Map<Long, Long> poolCpu(java.lang.management.ThreadMXBean mx) {
        Map<Long, Long> m = new HashMap<>();
        for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti != null && ti.getThreadName().startsWith("ForkJoinPool")) {
                m.put(ti.getThreadId(), mx.getThreadCpuTime(ti.getThreadId()));
            }
        }
        return m;
    }
}
