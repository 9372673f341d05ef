package io.motionkernels.cuda;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.Backends;
import io.motionkernels.FommModel;
import io.motionkernels.MotionModel;
import io.motionkernels.Precision;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.conformance.Conformance;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.ConvSpec;
import io.motionkernels.engine.Executor;
import io.motionkernels.engine.Graph;
import io.motionkernels.engine.Ops;
import io.motionkernels.model.FommConfig;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.monkeynet.MonkeyNetEngine;
import io.motionkernels.monkeynet.MonkeyNetGraph;
import io.motionkernels.monkeynet.MonkeyNetParams;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * The model stages of native-tests/gpu-check.sh, a main in the test sources (it needs a GPU):
 *
 * <pre>
 *   GpuCheck verify [--precision strict|fast] [--poison] [--replay] [--bound B] [--device cpu] DIR...
 *   GpuCheck timings --config NAME [--batch 32] [--seconds 4] [--device cpu]   (Monkey-Net or FOMM)
 *   GpuCheck convs --config NAME... [--precision strict|fast] [--device cpu]
 * </pre>
 *
 * {@code verify} runs every reference case under each DIR on CUDA: the networks' cases
 * (kp_detector, generator) on a {@link CudnnDevice} of the given precision, with NaN poisoning and
 * graph replay when asked (each replayed case runs three times: warm-up, capture, replay; the
 * replayed outputs are judged); the transfer cases through {@link Conformance} (the public API,
 * so strict without poison or replay only; skipped otherwise); op cases are skipped (they run on
 * the CPU kernels; the op harness covers the GPU). Then the convolution plans cuDNN chose.
 * {@code --device cpu} runs the same on the CPU device: the check of this runner itself
 * ({@link GpuCheckTest}), where no GPU is.
 * {@code timings}: one published configuration with PRNG weights through the public API, strict
 * and fast, driving frames streamed one per call and in batches. {@code convs}: every distinct
 * convolution of the named configurations' graphs (detect, prepare, generate; one frame at the
 * configuration's size, PRNG weights, the model's x2 inputs and residuals), each alone in a
 * poisoned one-node graph on the device and on the CPU device, compared (relative L2, bound 1e-5
 * strict, 3e-3 fast), with the plan cuDNN chose for it.
 *
 * <p>Everything that needs no GPU (arguments, cases, configurations, the class path's CUDA
 * bindings) is done first; then, where CUDA is not usable, one {@code error:} line and exit 2.
 * Exit 0 all passed, 1 a failure.
 */
public final class GpuCheck {
    private GpuCheck() {
    }

    public static void main(String[] args) {
        int rc;
        try {
            if (args.length == 0) {
                throw new IllegalArgumentException("use: verify [options] DIR... | timings --config NAME");
            }
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            rc = switch (args[0]) {
                case "verify" -> verify(rest);
                case "timings" -> timings(rest);
                case "convs" -> convs(rest);
                default -> throw new IllegalArgumentException("unknown stage '" + args[0] + "': use verify or timings");
            };
        } catch (IllegalArgumentException | io.motionkernels.MotionKernelsException e) {
            System.err.println("error: " + e.getMessage());
            rc = 2;
        }
        System.out.flush();
        System.exit(rc);
    }

    /** Null when CUDA can run here, else the refusal (after the class path's CUDA bindings were touched). */
    static String cudaRefusal() {
        String why = Backends.cudaUnavailableReason();
        if (why == null) {
            return null;
        }
        // Resolve the classes the GPU path links, so that a runtime missing a module or jar says so
        // here rather than on the GPU; JavaCPP's loader runs too (it fails on the libraries only).
        for (String c : List.of("io.motionkernels.cuda.CudnnDevice", "io.motionkernels.cuda.CudnnConv",
                "io.motionkernels.cuda.ConvChoices", "jcuda.driver.JCudaDriver", "org.bytedeco.cuda.global.cudnn",
                "org.bytedeco.cuda.cudnn.cudnnContext", "org.bytedeco.javacpp.Loader")) {
            try {
                Class.forName(c, false, GpuCheck.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return "the class path lacks " + c + " (" + e + "); and CUDA is not usable: " + why;
            }
        }
        String cudnn = CudaAvailability.probeCudnn();
        if (cudnn.contains("NoClassDefFoundError") || cudnn.contains("ClassNotFoundException")) {
            return "JavaCPP cannot run in this runtime: " + cudnn.substring(1);
        }
        return "CUDA is not usable here: " + why;
    }

    // ---- verify ----

    private record Settings(Precision precision, boolean poison, boolean replay, double bound, boolean cpu) {
        boolean plain() {
            return precision == Precision.STRICT && !poison && !replay;
        }

        String describe() {
            return (cpu ? "cpu device, " : "") + precision.name().toLowerCase(Locale.ROOT) + (poison ? " + poison" : "") + (replay ? " + replay" : "")
                    + String.format(Locale.ROOT, ", bound %.0e", bound);
        }
    }

    static int verify(String[] args) {
        Precision precision = Precision.STRICT;
        boolean poison = false;
        boolean replay = false;
        Double bound = null;
        boolean cpu = false;
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--precision" -> precision = Precision.parse(value(args, ++i, "--precision"));
                case "--poison" -> poison = true;
                case "--replay" -> replay = true;
                case "--bound" -> bound = number(value(args, ++i, "--bound"), "--bound");
                case "--device" -> {
                    String d = value(args, ++i, "--device");
                    if (!d.equals("cpu") && !d.equals("cuda")) {
                        throw new IllegalArgumentException("--device must be cuda or cpu, got '" + d + "'");
                    }
                    cpu = d.equals("cpu");
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                    }
                    dirs.add(Path.of(args[i]));
                }
            }
        }
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("name at least one folder of reference cases");
        }
        // FORMAT.md's bounds: float32 arithmetic 1e-4, TF32 3e-3.
        Settings s = new Settings(precision, poison, replay, bound != null ? bound
                : precision == Precision.STRICT ? 1e-4 : 3e-3, cpu);
        List<Path[]> cases = new ArrayList<>();
        for (Path d : dirs) {
            for (Path f : Conformance.findCases(d)) {
                cases.add(new Path[] {d, f});
            }
        }
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("no .safetensors reference cases under " + dirs);
        }
        // The first model case's configuration: SnakeYAML (java.beans) is resolved before the GPU.
        for (Path[] c : cases) {
            Map<String, String> md = Safetensors.read(c[1]).metadata();
            if (md.containsKey("config")) {
                if (md.getOrDefault("kind", "").startsWith("fomm:")) {
                    FommConfig.parse(md.getOrDefault("config_name", "case"), md.get("config"));
                } else {
                    ModelConfig.parse(md.getOrDefault("config_name", "case"), md.get("config"));
                }
                break;
            }
        }
        String refusal = cpu ? null : cudaRefusal();
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        Conformance conformance = new Conformance(s.bound(), Checkpoints::load, cpu ? Backend.CPU : Backend.CUDA);
        Set<String> plans = new LinkedHashSet<>();
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        System.out.println("verify on " + (cpu ? "the CPU" : "CUDA") + ": " + s.describe() + ", " + cases.size() + " files");
        for (Path[] c : cases) {
            String name = c[0].resolve(c[0].relativize(c[1])).toString();
            long t0 = System.nanoTime();
            String[] row;
            try {
                row = runCase(c[0], c[1], s, conformance, plans);
            } catch (RuntimeException | LinkageError e) {
                row = new String[] {"FAIL", "-", "error: " + String.valueOf(e).replace('\n', ' ')};
            }
            System.out.printf(Locale.ROOT, "%-4s %-64s %10s  %s (%.1f s)%n", row[0], name, row[1], row[2],
                    (System.nanoTime() - t0) / 1e9);
            System.out.flush();
            switch (row[0]) {
                case "PASS" -> passed++;
                case "SKIP" -> skipped++;
                default -> failed++;
            }
        }
        System.out.println("convolution plans (" + plans.size() + "):");
        plans.forEach(p -> System.out.println("  " + p));
        System.out.printf(Locale.ROOT, "verify (%s): %d passed, %d failed, %d skipped%n", s.describe(), passed, failed,
                skipped);
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    /** {status, error, note}. */
    private static String[] runCase(Path root, Path file, Settings s, Conformance conformance, Set<String> plans) {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> md = c.metadata();
        String kind = md.get("kind");
        if (kind == null) {
            return new String[] {"SKIP", "-", "weights, not a case"};
        }
        if (kind.startsWith("op:")) {
            return new String[] {"SKIP", "-", kind + ": op cases run on the CPU kernels (the op harness covers the GPU)"};
        }
        if (!kind.equals("kp_detector") && !kind.equals("generator")) {
            if (!s.plain()) {
                return new String[] {"SKIP", "-", kind + ": the public API runs strict without poison or replay"};
            }
            Conformance.Row r = conformance.run(root, file);
            String err = Double.isNaN(r.error()) ? "-" : String.format(Locale.ROOT, "%.3e", r.error());
            return switch (r.status()) {
                case PASS -> new String[] {"PASS", err, kind};
                case SKIP -> new String[] {"SKIP", err, r.note()};
                case FAIL -> new String[] {"FAIL", err, kind + ", worst " + r.worstOutput()};
                case ERROR -> new String[] {"FAIL", err, r.note()};
            };
        }
        ModelConfig config = ModelConfig.parse(md.getOrDefault("config_name", "case"), md.get("config"));
        Weights weights = weights(file, md);
        Device device = s.cpu() ? new CpuDevice() : CudnnDevice.open(0, s.precision());
        List<Comparison> out = new ArrayList<>();
        try (MonkeyNetEngine net = MonkeyNetEngine.create(config, weights, device,
                new Executor.Options(s.poison(), s.replay()))) {
            int runs = s.replay() ? 3 : 1;
            if (kind.equals("kp_detector")) {
                Tensor input = c.tensors().containsKey("image") ? c.require("image") : c.require("video");
                if (c.tensors().containsKey("heatmap_logits")) {
                    out.add(Comparison.of("heatmap_logits", net.heatmapLogits(input), c));
                }
                Keypoints kp = null;
                for (int i = 0; i < runs; i++) {
                    kp = net.detect(input);
                }
                out.add(Comparison.of("mean", kp.mean(), c));
                if (c.tensors().containsKey("var") && kp.var() != null) {
                    out.add(Comparison.of("var", kp.var(), c));
                }
            } else {
                Keypoints driving = keypoints(c, "kp_driving");
                boolean mask = !s.replay() && c.tensors().containsKey("mask_embedding");
                MonkeyNetEngine.Output g = null;
                try (MonkeyNetEngine.Source src = net.prepare(c.require("source"), keypoints(c, "kp_source"))) {
                    for (int i = 0; i < runs; i++) {
                        g = net.generate(src, driving, mask);
                    }
                }
                if (mask) {
                    out.add(Comparison.of("mask_embedding", g.maskEmbedding(), c));
                }
                if (c.tensors().containsKey("deformation")) {
                    out.add(Comparison.of("deformation", g.deformation(), c));
                }
                if (c.tensors().containsKey("video_deformed")) {
                    out.add(Comparison.of("video_deformed", g.videoDeformed(), c));
                }
                out.add(Comparison.of("video_prediction", g.videoPrediction(), c));
            }
            if (device instanceof CudnnDevice gpu) {
                plans.addAll(gpu.convolutionPlans());
            }
        }
        double worst = -1;
        String worstName = "";
        for (Comparison cmp : out) {
            double e = cmp.relativeL2();
            if (Double.isNaN(e) || e > worst) {
                worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                worstName = cmp.name();
            }
        }
        String err = String.format(Locale.ROOT, "%.3e", worst);
        return new String[] {worst <= s.bound() ? "PASS" : "FAIL", err, kind + ", worst " + worstName};
    }

    private static Keypoints keypoints(Safetensors.Contents c, String prefix) {
        return new Keypoints(c.require(prefix + "_mean"), c.tensors().get(prefix + "_var"));
    }

    /** The case's weights: {@code prng} with its seed, or {@code file:NAME} beside the case. */
    private static Weights weights(Path file, Map<String, String> md) {
        String spec = md.getOrDefault("weights", "prng");
        if (spec.startsWith("file:")) {
            return Checkpoints.load(file.toAbsolutePath().getParent().resolve(spec.substring(5)));
        }
        String seed = md.get("seed");
        if (!spec.equals("prng") || seed == null) {
            throw new IllegalArgumentException("case weights '" + spec + "' without a seed");
        }
        return Weights.prng(Long.parseLong(seed.trim()));
    }

    // ---- convs ----

    /** One distinct convolution of a model: its spec and input shape (dense output). */
    record ConvShape(String config, ConvSpec spec, int n, int h, int w, int up, boolean residual) {
        String describe() {
            return config + " " + spec.name() + " [" + n + "x" + spec.cin() + "x" + h + "x" + w + (up == 1 ? "" : " x" + up)
                    + " -> " + spec.cout() + ", k" + spec.k() + (spec.groups() == 1 ? "" : ", groups " + spec.groups())
                    + (residual ? ", residual" : "") + ", " + spec.activation() + "]";
        }
    }

    static List<ConvShape> convShapes(String name) {
        ModelConfig config = ModelConfig.published(name);
        int size = config.defaultSize();
        MonkeyNetGraph g = new MonkeyNetGraph(MonkeyNetParams.of(config, Weights.prng(7)));
        Map<String, ConvShape> shapes = new java.util.LinkedHashMap<>();
        for (Graph graph : List.of(g.detect(1, size, size, false), g.prepare(1, size, size),
                g.generate(1, 1, size, size, false))) {
            for (Graph.Node node : graph.nodes()) {
                if (node.op() instanceof Ops.Conv c) {
                    ConvShape s = new ConvShape(name, c.spec(), c.n(), c.h(), c.w(), c.up(), c.residual() != null);
                    shapes.putIfAbsent(s.describe(), s);
                }
            }
        }
        return new ArrayList<>(shapes.values());
    }

    static int convs(String[] args) {
        List<String> names = new ArrayList<>();
        Precision precision = Precision.STRICT;
        boolean cpu = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> names.add(value(args, ++i, "--config"));
                case "--precision" -> precision = Precision.parse(value(args, ++i, "--precision"));
                case "--device" -> cpu = value(args, ++i, "--device").equals("cpu");
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--config NAME is required (published configurations, e.g. shapes, nemo, vox)");
        }
        List<ConvShape> shapes = new ArrayList<>();
        for (String n : names) {
            shapes.addAll(convShapes(n));
        }
        String refusal = cpu ? null : cudaRefusal();
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        double bound = precision == Precision.STRICT ? 1e-5 : 3e-3;
        int passed = 0;
        int failed = 0;
        Device dut = cpu ? new CpuDevice() : CudnnDevice.open(0, precision);
        try (Executor reference = new Executor(new CpuDevice(), new Executor.Options(true, false));
             Executor tested = new Executor(dut, new Executor.Options(true, false))) {
            for (int i = 0; i < shapes.size(); i++) {
                ConvShape s = shapes.get(i);
                long t0 = System.nanoTime();
                String status;
                String detail;
                try {
                    float[] want = runConv(reference, s, i);
                    float[] got = runConv(tested, s, i);
                    double e = Comparison.relativeL2(got, want);
                    status = e <= bound ? "PASS" : "FAIL";
                    detail = String.format(Locale.ROOT, "%.3e", e);
                } catch (RuntimeException | LinkageError e) {
                    status = "FAIL";
                    detail = "error: " + String.valueOf(e).replace('\n', ' ');
                }
                System.out.printf(Locale.ROOT, "%s conv %s: %s (%.2f s)%n", status, s.describe(), detail,
                        (System.nanoTime() - t0) / 1e9);
                System.out.flush();
                if (status.equals("PASS")) {
                    passed++;
                } else {
                    failed++;
                }
            }
            if (dut instanceof CudnnDevice gpu) {
                System.out.println("convolution plans (" + gpu.convolutionPlans().size() + "):");
                gpu.convolutionPlans().forEach(p -> System.out.println("  " + p));
            }
        }
        System.out.printf(Locale.ROOT, "convs (%s, %s, bound %.0e): %d passed, %d failed%n", String.join(", ", names),
                precision.name().toLowerCase(Locale.ROOT), bound, passed, failed);
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    /** The convolution alone in a one-node graph on {@code ex}'s device, on seeded inputs. */
    private static float[] runConv(Executor ex, ConvShape s, int seed) {
        ConvSpec spec = s.spec();
        int hh = s.h() * s.up();
        int ww = s.w() * s.up();
        long in = (long) s.n() * spec.cin() * s.h() * s.w();
        long out = (long) s.n() * spec.cout() * hh * ww;
        Graph.Builder b = Graph.builder("conv " + spec.name());
        Graph.Value x = b.input("x", in);
        Graph.Value res = s.residual() ? b.input("residual", out) : null;
        Graph.Value y = b.output(b.temp("y", out));
        Graph.Value ws = b.workspace("workspace");
        b.node(spec.name(), new Ops.Conv(spec, x.all(), s.n(), s.h(), s.w(), s.up(), res == null ? null : res.all(),
                y.all(), spec.cout(), 0, ws.all()));
        Executor.Plan p = ex.plan(b.build());
        p.upload("x", uniform(1000L + seed, Math.toIntExact(in)).data());
        if (res != null) {
            p.upload("residual", uniform(2000L + seed, Math.toIntExact(out)).data());
        }
        p.run(null);
        float[] result = new float[Math.toIntExact(out)];
        p.download("y", result);
        return result;
    }

    // ---- timings ----

    static int timings(String[] args) {
        String name = null;
        int batch = 32;
        double seconds = 4;
        boolean cpu = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> name = value(args, ++i, "--config");
                case "--device" -> cpu = value(args, ++i, "--device").equals("cpu");
                case "--batch" -> batch = (int) number(value(args, ++i, "--batch"), "--batch");
                case "--seconds" -> seconds = number(value(args, ++i, "--seconds"), "--seconds");
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("--config NAME is required (a published configuration, e.g. nemo, vox,"
                    + " vox-256, or a FOMM YAML file)");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1");
        }
        // the configuration selects the family, as animate's --config does
        FommConfig fomm = FommConfig.names(name) ? FommConfig.resolve(name) : null;
        ModelConfig config = fomm == null ? ModelConfig.published(name) : null;
        int size = fomm != null ? fomm.defaultSize() : config.defaultSize();
        Tensor source = uniform(20, 1, 3, 1, size, size);
        Tensor frame = uniform(21, 1, 3, 1, size, size);
        Tensor frames = uniform(22, 1, 3, batch, size, size);
        String refusal = cpu ? null : cudaRefusal();
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        boolean ok = true;
        for (Precision p : Precision.values()) {
            long t0 = System.nanoTime();
            MotionModel.Options options = MotionModel.Options.defaults().withBackend(cpu ? Backend.CPU : Backend.CUDA)
                    .withPrecision(p);
            List<AutoCloseable> owned = new ArrayList<>();
            try {
                UnaryOperator<Tensor> animation;
                if (fomm != null) {
                    FommModel model = FommModel.create(fomm, Weights.prng(7), options);
                    owned.add(model);
                    FommModel.Transfer t = model.transfer(source.reshape(1, 3, size, size), fomm.normalization());
                    owned.add(0, t);
                    animation = t::next;
                } else {
                    MotionModel model = MotionModel.create(config, Weights.prng(7), options);
                    owned.add(model);
                    PreparedSource prepared = model.prepare(source);
                    owned.add(0, prepared);
                    animation = prepared.animate(ModelConfig.Normalization.RELATIVE)::next;
                }
                Tensor first = animation.apply(frame);
                double setup = (System.nanoTime() - t0) / 1e6;
                long tb = System.nanoTime();
                Tensor firstBatch = animation.apply(frames);
                double firstBatchMs = (System.nanoTime() - tb) / 1e6;
                ok &= finite(first) && finite(firstBatch);
                String tag = String.format(Locale.ROOT, "timing %s %dx%d %s", name, size, size,
                        p.name().toLowerCase(Locale.ROOT));
                System.out.printf(Locale.ROOT, "%s: load + prepare + first frame %.0f ms, first %d-frame batch %.0f ms%n",
                        tag, setup, batch, firstBatchMs);
                measure(tag + " stream (1 frame per call)", 1, seconds, () -> animation.apply(frame));
                measure(tag + " batch (" + batch + " frames per call)", batch, seconds, () -> animation.apply(frames));
            } catch (RuntimeException | LinkageError e) {
                System.out.println("FAIL timing " + name + " " + p + ": " + e);
                ok = false;
            } finally {
                for (AutoCloseable c : owned) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        System.out.println("FAIL timing " + name + " " + p + ": closing: " + e);
                        ok = false;
                    }
                }
            }
        }
        return ok ? 0 : 1;
    }

    private static void measure(String tag, int framesPerCall, double seconds, Runnable call) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int calls = 0;
        double best = Double.MAX_VALUE;
        long now = start;
        while (calls < 3 || now < end) {
            long t = System.nanoTime();
            call.run();
            now = System.nanoTime();
            best = Math.min(best, (now - t) / 1e6);
            calls++;
        }
        double total = (now - start) / 1e9;
        double frames = (double) calls * framesPerCall;
        System.out.printf(Locale.ROOT, "%s: %.2f ms/frame mean, %.1f frames/s, best call %.2f ms, %d calls in %.1f s%n",
                tag, total * 1e3 / frames, frames / total, best, calls, total);
        System.out.flush();
    }

    private static boolean finite(Tensor t) {
        for (float v : t.data()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static Tensor uniform(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextDouble();
        }
        return t;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static double number(String s, String option) {
        try {
            double v = Double.parseDouble(s);
            if (!(v > 0)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a positive number, got '" + s + "'");
        }
    }
}
