package io.motionkernels.bench;

import io.motionkernels.cpu.Conv2d;
import io.motionkernels.engine.NodeTimes;
import io.motionkernels.engine.Ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a frame's time goes: ModelBench's workload with the executor timing each node
 * ({@link NodeTimes}), then per op kind and per convolution shape the milliseconds per frame,
 * share of the total and, for convolutions, effective GFLOP/s of the 3×3 formulation (an
 * upsampling convolution counted at its output resolution, as PyTorch computes it), and the heap
 * bytes every thread allocated while the op ran (the counter's own arrays add about 400
 * bytes per node: ChannelAffine's 29 nodes measured 10.9 KB per nemo frame). A 3×3 shape that
 * AUTO measured is tagged {@code [winograd]} or {@code [direct]}. Only the
 * measured calls are timed (the warm-up runs plain); {@code -Dthreads=N} gives the model N threads
 * of its own.
 *
 * <pre>
 *   java -Dthreads=N --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *       io.motionkernels.bench.NodeProfile CONFIG FRAMES_PER_CALL CALLS [WARMUP_SECONDS]
 * </pre>
 */
public final class NodeProfile {
    private NodeProfile() {
    }

    public static void main(String[] args) {
        try (StreamWorkload w = StreamWorkload.fromArgs("NodeProfile", "nemo 1 50 10", args, 10,
                Integer.getInteger("threads", 0))) {
            if (w == null) {
                return;
            }
            String name = w.config;
            int n = w.framesPerCall;
            int calls = w.calls;
            var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            NodeTimes.countAllocations(() -> {
                long sum = 0;
                for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
                    sum += Math.max(0, b);
                }
                return sum;
            });
            NodeTimes.enable(true);
            NodeTimes.reset();
            long t0 = System.nanoTime();
            for (int r = 0; r < calls; r++) {
                w.call();
            }
            double wallPerFrame = (System.nanoTime() - t0) / 1e6 / calls / n;
            report(name, n, calls, wallPerFrame, NodeTimes.snapshot());
        }
    }

    private record Row(String key, double nanos, double flops, int nodes, double direct, double bytes) {
    }

    private static void report(String name, int n, int calls, double wallPerFrame, List<NodeTimes.Entry> entries) {
        Map<String, double[]> rows = new LinkedHashMap<>();
        double total = 0;
        for (NodeTimes.Entry e : entries) {
            String key;
            double flops = 0;
            double direct = 0;
            if (e.op() instanceof Ops.Conv cv) {
                var sp = cv.spec();
                int up = Math.max(1, cv.up());
                // AUTO's choice, where it measured this shape (forced algorithms leave no trace)
                Boolean winograd = up > 1 ? null : Conv2d.winogradChosen(sp.cin(), sp.cout(), cv.h(), cv.w());
                key = String.format(Locale.ROOT, "conv %d->%d k%d at %dx%d%s%s", sp.cin(), sp.cout(), sp.k(), cv.h() * up,
                        cv.w() * up, up > 1 ? " (x2 up)" : "", winograd == null ? "" : winograd ? " [winograd]" : " [direct]");
                flops = 2.0 * sp.cin() / sp.groups() * sp.cout() * sp.k() * sp.k() * (double) cv.h() * up * cv.w() * up
                        * cv.n() * e.runs();
                // ConvDirect's phase kernels: each output reads ceil(k/2)^2 of the k^2 taps
                int kp = (sp.k() + 1) / 2;
                direct = up > 1 ? flops * kp * kp / (sp.k() * sp.k()) : flops;
            } else {
                key = e.op().getClass().getSimpleName();
            }
            double[] r = rows.computeIfAbsent(key, k -> new double[5]);
            r[0] += e.nanos();
            r[1] += flops;
            r[2] += 1;
            r[3] += direct;
            r[4] += e.bytes();
            total += e.nanos();
        }
        List<Row> list = new ArrayList<>();
        rows.forEach((k, v) -> list.add(new Row(k, v[0], v[1], (int) v[2], v[3], v[4])));
        list.sort(Comparator.comparingDouble(Row::nanos).reversed());
        double frames = (double) calls * n;
        System.out.printf(Locale.ROOT, "%s, %d frames per call, %d calls: %.2f ms/frame wall, %.2f ms/frame in nodes%n",
                name, n, calls, wallPerFrame, total / 1e6 / frames);
        System.out.printf(Locale.ROOT, "| %-40s | nodes | ms/frame | share | GFLOP/s | KB allocated/frame |%n", "op");
        double convNanos = 0;
        double convFlops = 0;
        double directFlops = 0;
        for (Row r : list) {
            String gf = r.flops() > 0 ? String.format(Locale.ROOT, "%.1f", r.flops() / r.nanos()) : "";
            System.out.printf(Locale.ROOT, "| %-40s | %5d | %8.3f | %4.1f%% | %7s | %9.1f |%n", r.key(), r.nodes(),
                    r.nanos() / 1e6 / frames, 100 * r.nanos() / total, gf, r.bytes() / 1e3 / frames);
            if (r.flops() > 0) {
                convNanos += r.nanos();
                convFlops += r.flops();
                directFlops += r.direct();
            }
        }
        System.out.printf(Locale.ROOT, "convolutions: %.2f ms/frame (%.1f%%), %.2f GFLOP/frame in the 3x3 formulation"
                        + " (%.1f GFLOP/s effective), %.2f GFLOP/frame as the direct kernel computes it (phase kernels"
                        + " for the x2 upsampling ones)%n", convNanos / 1e6 / frames, 100 * convNanos / total,
                convFlops / frames / 1e9, convFlops / convNanos, directFlops / frames / 1e9);
    }
}
