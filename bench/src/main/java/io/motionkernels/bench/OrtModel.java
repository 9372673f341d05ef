package io.motionkernels.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.tensor.Tensor;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Monkey-Net exported by bench/onnx/export_monkeynet.py, run through ONNX Runtime's Java API: the
 * source graph ({@code CONFIG.encode.onnx}: keypoints and appearance features, once per source) and
 * the per-frame graph ({@code CONFIG.frame.onnx}: keypoint detector on the driving frames, then the
 * generator). {@link #check} runs the files against the reference cases named in their metadata,
 * so that a benchmark never times a model that computes something else.
 */
final class OrtModel implements AutoCloseable {
    /** Where the export script writes its files, relative to the repository root (the benchmarks' working directory). */
    static final Path DEFAULT_DIR = Path.of(System.getProperty("ort.dir", "bench/results/onnx"));

    final String config;
    final int size;
    final int keypoints;
    final int channels;
    final int skips;
    final Map<String, String> metadata;
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    final OrtSession encode;
    final OrtSession frame;

    /** One session per graph with these settings: ORT_ENABLE_ALL, {@code threads} intra-op threads, spinning on or off. */
    OrtModel(Path dir, String config, int threads, boolean spinning) throws OrtException {
        Path encodeFile = file(dir, config, "encode");
        Path frameFile = file(dir, config, "frame");
        this.config = config;
        env = OrtEnvironment.getEnvironment();
        options = options(threads, spinning);
        encode = env.createSession(encodeFile.toString(), options);
        frame = env.createSession(frameFile.toString(), options);
        metadata = frame.getMetadata().getCustomMetadata();
        if (!config.equals(metadata.get("config"))) {
            throw new IllegalStateException(frameFile + " was exported for " + metadata.get("config") + ", not " + config);
        }
        size = Integer.parseInt(metadata.get("size"));
        keypoints = Integer.parseInt(metadata.get("num_kp"));
        channels = Integer.parseInt(metadata.get("channels"));
        skips = Integer.parseInt(metadata.get("skips"));
    }

    static OrtSession.SessionOptions options(int threads, boolean spinning) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.addConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        return o;
    }

    static Path file(Path dir, String config, String graph) {
        Path p = dir.resolve(config + "." + graph + ".onnx");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no " + p + ": run /usr/bin/python3 bench/onnx/export_monkeynet.py first"
                    + " (needs Debian's python3-torch and python3-onnx)");
        }
        return p;
    }

    OnnxTensor tensor(float[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
    }

    /** The source's keypoints and features; the caller closes the result (its values are the frame graph's inputs). */
    OrtSession.Result encode(OnnxTensor source) throws OrtException {
        return encode.run(Map.of("source", source));
    }

    /**
     * The frame graph's constant inputs for one prepared source: everything but {@code driving}.
     * kp_offset moves the driving means: source means minus the reference frame's (relative), or
     * zeros (absolute, {@code reference} null).
     */
    Map<String, OnnxTensor> prepared(OnnxTensor source, OrtSession.Result encoded, OrtSession.Result reference)
            throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        float[] sourceMean = floats(encoded.get("kp_mean").get());
        float[] offset = new float[sourceMean.length];
        if (reference != null) {
            float[] first = floats(reference.get("kp_mean").get());
            for (int i = 0; i < offset.length; i++) {
                offset[i] = sourceMean[i] - first[i];
            }
        }
        in.put("kp_offset", tensor(offset, 1, keypoints, 2));
        in.put("kp_source_mean", (OnnxTensor) encoded.get("kp_mean").get());
        in.put("kp_source_var", (OnnxTensor) encoded.get("kp_var").get());
        in.put("source", source);
        for (int i = 1; i <= skips; i++) {
            in.put("skip" + i, (OnnxTensor) encoded.get("skip" + i).get());
        }
        return in;
    }

    static float[] floats(OnnxValue v) {
        FloatBuffer b = ((OnnxTensor) v).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    /** (1, C, T, H, W) -> (T, C, H, W), the frames-as-batch layout of the exported graphs. */
    static float[] framesFirst(Tensor video) {
        int[] s = video.shape();
        int c = s[1], t = s[2], hw = s[3] * s[4];
        float[] d = video.data(), out = new float[d.length];
        for (int ci = 0; ci < c; ci++) {
            for (int ti = 0; ti < t; ti++) {
                System.arraycopy(d, (ci * t + ti) * hw, out, (ti * c + ci) * hw, hw);
            }
        }
        return out;
    }

    static long[] framesFirstShape(Tensor video) {
        int[] s = video.shape();
        return new long[] {s[2], s[1], s[3], s[4]};
    }

    record CaseResult(String path, String kind, Map<String, Double> errors) {
        double worst() {
            return errors.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    /**
     * Every reference case in the files' metadata through ONNX Runtime: kp_detector cases through
     * both graphs' keypoint outputs, generator cases through CONFIG.generator.onnx, transfer cases
     * through encode + frame as OrtBench runs them. Throws unless every output is within the bound.
     */
    List<CaseResult> check(Path dir) throws OrtException {
        double bound = Double.parseDouble(metadata.get("bound"));
        String cases = metadata.getOrDefault("cases", "");
        if (cases.isEmpty()) {
            throw new IllegalStateException(config + ": the ONNX files name no reference case to check them against");
        }
        List<CaseResult> results = new ArrayList<>();
        try (OrtSession generator = env.createSession(file(dir, config, "generator").toString(), options)) {
            for (String path : cases.split(";")) {
                Path p = Path.of(path);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalStateException(config + ": reference case " + p.toAbsolutePath()
                            + " is missing (run from the repository root, with ../shared beside it where the export found it)");
                }
                results.add(checkCase(path, Safetensors.read(p), generator));
            }
        }
        for (CaseResult r : results) {
            if (!(r.worst() <= bound)) {
                throw new IllegalStateException("ONNX Runtime's " + config + " misses " + r.path() + ": relative L2 "
                        + r.errors() + " > " + bound + "; refusing to benchmark a wrong model");
            }
        }
        return results;
    }

    private CaseResult checkCase(String path, Safetensors.Contents c, OrtSession generator) throws OrtException {
        String kind = c.metadata().get("kind");
        Map<String, Double> errors = new LinkedHashMap<>();
        switch (kind) {
            case "kp_detector" -> {
                Tensor image = c.tensors().containsKey("image") ? c.require("image") : c.require("video");
                try (OnnxTensor x = tensor(framesFirst(image), framesFirstShape(image));
                     OrtSession.Result enc = encode(x)) {
                    errors.put("encode:mean", rel(enc.get("kp_mean").get(), c.require("mean")));
                    errors.put("encode:var", rel(enc.get("kp_var").get(), c.require("var")));
                    // the frame graph's own detector, on the image as driving frames (its source: the same image)
                    int[] sh = image.shape();
                    try (OnnxTensor first = tensor(Arrays.copyOf(framesFirst(image), sh[1] * sh[3] * sh[4]), 1, sh[1], sh[3], sh[4]);
                         OrtSession.Result src = encode(first)) {
                        Map<String, OnnxTensor> in = prepared(first, src, null);
                        in.put("driving", x);
                        try (OrtSession.Result out = frame.run(in, Set.of("kp_mean", "kp_var"))) {
                            errors.put("frame:mean", rel(out.get("kp_mean").get(), c.require("mean")));
                            errors.put("frame:var", rel(out.get("kp_var").get(), c.require("var")));
                        }
                        in.get("kp_offset").close();
                    }
                }
            }
            case "generator" -> {
                Tensor source = c.require("source");
                try (OnnxTensor s = tensor(source.data(), framesFirstShape(source));
                     OrtSession.Result enc = encode(s)) {
                    Map<String, OnnxTensor> in = new HashMap<>();
                    List<OnnxTensor> mine = new ArrayList<>();
                    for (String name : List.of("kp_driving_mean", "kp_driving_var", "kp_source_mean", "kp_source_var")) {
                        Tensor t = c.require(name);
                        int[] sh = t.shape();
                        long[] shape = Arrays.stream(sh).skip(2).asLongStream().toArray();
                        long[] full = new long[shape.length + 1];
                        full[0] = sh[1];
                        System.arraycopy(shape, 0, full, 1, shape.length);
                        OnnxTensor o = tensor(t.data(), full);
                        mine.add(o);
                        in.put(name, o);
                    }
                    in.put("source", s);
                    for (int i = 1; i <= skips; i++) {
                        in.put("skip" + i, (OnnxTensor) enc.get("skip" + i).get());
                    }
                    try (OrtSession.Result out = generator.run(in)) {
                        errors.put("video_prediction", relVideo(out.get("prediction").get(), c.require("video_prediction")));
                    }
                    mine.forEach(OnnxTensor::close);
                }
            }
            case "transfer" -> {
                Tensor source = c.require("source");
                Tensor driving = c.require("driving");
                boolean relative = relative(c.metadata().getOrDefault("normalization_params", "{}"));
                float[] frames = framesFirst(driving);
                long[] shape = framesFirstShape(driving);
                try (OnnxTensor s = tensor(source.data(), framesFirstShape(source));
                     OnnxTensor d = tensor(frames, shape);
                     OnnxTensor d0 = tensor(Arrays.copyOf(frames, (int) (shape[1] * shape[2] * shape[3])),
                             1, shape[1], shape[2], shape[3]);
                     OrtSession.Result enc = encode(s);
                     OrtSession.Result ref = encode(d0)) {
                    Map<String, OnnxTensor> in = prepared(s, enc, relative ? ref : null);
                    in.put("driving", d);
                    try (OrtSession.Result out = frame.run(in, Set.of("prediction"))) {
                        errors.put("video_prediction", relVideo(out.get("prediction").get(), c.require("video_prediction")));
                    }
                    in.get("kp_offset").close();
                }
            }
            default -> throw new IllegalStateException(path + ": no ONNX check for a case of kind " + kind);
        }
        return new CaseResult(path, kind, errors);
    }

    /** move_location alone (relative) or nothing (absolute): the two transfers the frame graph computes. */
    static boolean relative(String json) {
        String j = json.replace(" ", "");
        for (String unsupported : new String[] {"\"movement_mult\":true", "\"adapt_variance\":true", "\"clip_mean\":true"}) {
            if (j.contains(unsupported)) {
                throw new IllegalStateException("transfer with " + json + ": only relative (move_location) and absolute are exported");
            }
        }
        return j.contains("\"move_location\":true");
    }

    /** Relative L2 of an ORT keypoint output (T, K, ...) against a case's (1, T, K, ...): the same order. */
    private static double rel(OnnxValue actual, Tensor expected) {
        return rel(floats(actual), expected.data());
    }

    /** Relative L2 of an ORT prediction (T, C, H, W) against a case's video (1, C, T, H, W). */
    private static double relVideo(OnnxValue actual, Tensor expected) {
        return rel(floats(actual), framesFirst(expected));
    }

    private static double rel(float[] a, float[] e) {
        if (a.length != e.length) {
            throw new IllegalStateException("ONNX output of " + a.length + " values against a case tensor of " + e.length);
        }
        return Comparison.relativeL2(a, e);
    }

    @Override
    public void close() throws OrtException {
        frame.close();
        encode.close();
        options.close();
    }
}
