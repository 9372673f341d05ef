package io.motionkernels.cuda;

import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs every CUDA kernel on the GPU against the CPU reference operations (the table in
 * {@link HarnessCases}) and against the golden op cases in {@code golden/ops}, with every output
 * buffer poisoned with NaN before each launch. Prints one line per case and a summary; exits 0
 * when nothing failed, 1 on a failure, 2 when CUDA is not usable here. A main in the test sources
 * (not a unit test): it needs a GPU. See native-tests/README.md.
 *
 * <p>Arguments: {@code --golden DIR} (the golden folder, default the golden.dir property),
 * {@code --filter TEXT} (only cases whose op contains TEXT).
 */
public final class GpuOpsHarness {
    private int passed;
    private int failed;
    private int skipped;
    private final PrintStream out = System.out;

    public static void main(String[] args) throws IOException {
        String golden = System.getProperty("golden.dir", "golden");
        String filter = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--golden" -> golden = args[++i];
                case "--filter" -> filter = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        CudaAvailability.Status status = CudaAvailability.probe();
        System.out.println(status);
        status.checks().forEach(c -> System.out.println("  " + c));
        if (!status.usable()) {
            System.exit(2);
        }
        GpuOpsHarness h = new GpuOpsHarness();
        try (CudaRuntime rt = CudaRuntime.open(0)) {
            CudaTensorOps gpu = new CudaTensorOps(rt, true);
            h.runTable(HarnessBackend.gpu(gpu), filter);
            h.runGoldens(gpu, Path.of(golden, "ops"), filter);
        }
        System.out.printf("%nops harness: %d passed, %d failed, %d skipped%n", h.passed, h.failed, h.skipped);
        System.exit(h.failed == 0 ? 0 : 1);
    }

    void runTable(HarnessBackend gpu, String filter) {
        HarnessBackend cpu = HarnessBackend.cpu();
        out.println("\n== GPU vs CPU reference (relative L2 error) ==");
        for (HarnessCases.Case c : HarnessCases.all()) {
            if (!c.op().contains(filter)) {
                continue;
            }
            List<Tensor> ref;
            try {
                ref = c.run().apply(cpu);
            } catch (UnsupportedOperationException e) {
                report(c.op(), c.params(), Double.NaN, c.tolerance(), "SKIP (CPU reference not implemented yet)");
                skipped++;
                continue;
            }
            List<Tensor> got;
            long t0 = System.nanoTime();
            try {
                got = c.run().apply(gpu);
            } catch (RuntimeException e) {
                report(c.op(), c.params(), Double.NaN, c.tolerance(), "FAIL " + e);
                failed++;
                continue;
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            verdict(c.op(), c.params(), ref, got, c.tolerance(), String.format("%.1f ms", ms));
        }
    }

    void runGoldens(CudaTensorOps gpu, Path dir, String filter) throws IOException {
        out.println("\n== GPU vs golden/ops (bound 1e-4, golden/FORMAT.md) ==");
        if (!Files.isDirectory(dir)) {
            out.println("no golden folder at " + dir.toAbsolutePath() + ": golden cases not run");
            skipped++;
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            Safetensors.Contents c = Safetensors.read(f);
            Map<String, String> md = c.metadata();
            String kind = md.get("kind");
            if (!kind.contains(filter) && !name.contains(filter)) {
                continue;
            }
            try {
                switch (kind) {
                    case "op:kp2gaussian" -> {
                        KpVariance v = KpVariance.parse(md.get("kp_variance"));
                        int[] size = ints(md.get("spatial_size"));
                        Keypoints kp = new Keypoints(c.require("mean"), v.hasTensor() ? c.require("var") : null);
                        verdict(kind, name, List.of(c.require("out")), List.of(gpu.kp2gaussian(kp, size[0], size[1], v)), 1e-4, "");
                    }
                    case "op:gaussian2kp" -> {
                        KpVariance v = KpVariance.parse(md.get("kp_variance"));
                        String clip = md.get("clip_variance");
                        Keypoints kp = gpu.gaussian2kp(c.require("heatmap"), v,
                                clip == null || clip.equals("none") ? null : Double.valueOf(clip));
                        verdict(kind, name + " mean", List.of(c.require("mean")), List.of(kp.mean()), 1e-4, "");
                        if (v.hasTensor()) {
                            verdict(kind, name + " var", List.of(c.require("var")), List.of(kp.var()), 1e-4, "");
                        }
                    }
                    case "op:grid_sample" -> {
                        GridSample.Padding p = GridSample.Padding.parse(md.get("padding_mode"));
                        boolean ac = Boolean.parseBoolean(md.get("align_corners"));
                        Tensor in = c.require("input"), grid = c.require("grid"), ref = c.require("out");
                        verdict(kind, name, List.of(ref), List.of(gpu.gridSample(in, grid, p, ac)), 1e-4, "");
                        if (in.rank() == 5 && in.dim(2) == 1) {
                            verdict(kind, name + " depth1 kernel", List.of(ref), List.of(gpu.gridSampleDepth1(in, grid, p, ac)), 1e-4, "");
                        }
                    }
                    case "op:interpolate" -> {
                        Tensor in = c.require("input"), ref = c.require("out");
                        Tensor got;
                        if (md.get("mode").equals("trilinear")) {
                            int[] s = ints(md.get("size"));
                            got = gpu.trilinear(in, s[0], s[1], s[2]);
                        } else if (md.containsKey("size")) {
                            int[] s = ints(md.get("size"));
                            got = gpu.nearest(in, s[0], s[1], s[2]);
                        } else {
                            double[] s = doubles(md.get("scale_factor"));
                            got = gpu.nearestScale(in, s[0], s[1], s[2]);
                        }
                        verdict(kind, name, List.of(ref), List.of(got), 1e-4, "");
                    }
                    default -> {
                        report(kind, name, Double.NaN, 0, "SKIP (no GPU op for this kind)");
                        skipped++;
                    }
                }
            } catch (RuntimeException e) {
                report(kind, name, Double.NaN, 1e-4, "FAIL " + e);
                failed++;
            }
        }
    }

    private void verdict(String op, String params, List<Tensor> ref, List<Tensor> got, double tol, String note) {
        String problem = null;
        double num = 0, den = 0;
        for (int t = 0; t < ref.size() && problem == null; t++) {
            Tensor r = ref.get(t), g = got.get(t);
            if (g == null || !Arrays.equals(r.shape(), g.shape())) {
                problem = "shape " + (g == null ? "null" : g.shapeString()) + ", expected " + r.shapeString();
                break;
            }
            for (int i = 0; i < r.numel(); i++) {
                float gv = g.data()[i], rv = r.data()[i];
                if (!Float.isFinite(gv)) {
                    problem = "non-finite " + gv + " at flat index " + i + " (NaN: an output the kernel did not write)";
                    break;
                }
                if (!Float.isFinite(rv)) {
                    problem = "reference has " + rv + " at flat index " + i;
                    break;
                }
                double d = (double) gv - rv;
                num += d * d;
                den += (double) rv * rv;
            }
        }
        double err = den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
        if (problem == null && !(err <= tol)) {
            problem = "error above tolerance";
        }
        if (problem == null) {
            passed++;
            report(op, params, err, tol, "ok " + note);
        } else {
            failed++;
            report(op, params, err, tol, "FAIL " + problem);
        }
    }

    private void report(String op, String params, double err, double tol, String verdict) {
        out.printf("%-22s %-48s err %-10s tol %-7s %s%n", op, params, Double.isNaN(err) ? "-" : String.format("%.2e", err),
                String.format("%.0e", tol), verdict);
    }

    private static int[] ints(String json) {
        return Arrays.stream(doubles(json)).mapToInt(d -> (int) d).toArray();
    }

    private static double[] doubles(String json) {
        String t = json.replace("[", "").replace("]", "").trim();
        List<Double> out = new ArrayList<>();
        for (String p : t.split(",")) {
            out.add(Double.parseDouble(p.trim()));
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
