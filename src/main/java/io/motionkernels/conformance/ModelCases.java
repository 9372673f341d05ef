package io.motionkernels.conformance;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.Backends;
import io.motionkernels.Precision;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.cuda.CudnnDevice;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.Executor;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.FommModel;
import io.motionkernels.model.FommConfig;
import io.motionkernels.fomm.FommEngine;
import io.motionkernels.fomm.FommGraph;
import io.motionkernels.model.FommKeypoints;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.monkeynet.MonkeyNetEngine;
import io.motionkernels.tensor.Frames;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a whole-model reference case (kind {@code kp_detector}, {@code generator}, {@code transfer},
 * {@code absolute_transfer_float32}) and pairs each output with its expected value.
 */
final class ModelCases {
    private ModelCases() {
    }

    static boolean handles(String kind) {
        return switch (kind) {
            case "kp_detector", "generator", "transfer", "absolute_transfer_float32", "fomm:kp_detector",
                 "fomm:generator", "fomm:transfer" -> true;
            default -> false;
        };
    }

    static List<Comparison> run(Path caseFile, Safetensors.Contents c, Function<Path, Weights> weightFiles,
                                Backend backend) {
        Map<String, String> md = c.metadata();
        String kind = md.get("kind");
        String yaml = md.get("config");
        if (yaml == null) {
            throw new MotionKernelsException("case has kind " + kind + " but no 'config' metadata");
        }
        if (kind.startsWith("fomm:")) {
            FommConfig config = FommConfig.parse(md.getOrDefault("config_name", "case"), yaml);
            Weights weights = weights(caseFile, md, weightFiles);
            if (kind.equals("fomm:transfer")) {
                // Through the public API, the way an application animates a source.
                try (FommModel model = FommModel.create(config, weights, backend)) {
                    return fommTransfer(md, model, c);
                }
            }
            try (FommEngine net = FommEngine.create(config, weights, device(backend), Executor.Options.DEFAULT)) {
                return fommParts(kind, net, c);
            }
        }
        ModelConfig config = ModelConfig.parse(md.getOrDefault("config_name", "case"), yaml);
        Weights weights = weights(caseFile, md, weightFiles);
        if (kind.equals("transfer") || kind.equals("absolute_transfer_float32")) {
            // Through the public API, the way an application animates a source.
            try (MotionModel model = MotionModel.create(config, weights, backend)) {
                return transfer(kind, md, config, model, c);
            }
        }
        try (MonkeyNetEngine net = MonkeyNetEngine.create(config, weights, device(backend), Executor.Options.DEFAULT)) {
            return parts(kind, net, c);
        }
    }

    /** The device of {@code backend} for the networks' own cases (intermediate outputs included). */
    private static Device device(Backend backend) {
        Backend b = backend == Backend.AUTO ? Backends.autoChoice() : backend;
        if (b == Backend.CUDA) {
            String why = Backends.cudaUnavailableReason();
            if (why != null) {
                throw new MotionKernelsException("the CUDA backend was asked for, but CUDA cannot be used: " + why);
            }
            return CudnnDevice.open(0, Precision.STRICT);
        }
        return new CpuDevice();
    }

    private static List<Comparison> parts(String kind, MonkeyNetEngine net, Safetensors.Contents c) {
        List<Comparison> out = new ArrayList<>();
        switch (kind) {
            case "kp_detector" -> {
                Tensor input = c.tensors().containsKey("image") ? c.require("image") : c.require("video");
                if (c.tensors().containsKey("heatmap_logits")) {
                    out.add(Comparison.of("heatmap_logits", net.heatmapLogits(input), c));
                }
                Keypoints kp = net.detect(input);
                addKeypoints(out, kp, c, "mean", "var");
            }
            case "generator" -> {
                Tensor source = c.require("source");
                Keypoints driving = keypoints(c, "kp_driving");
                Keypoints sourceKp = keypoints(c, "kp_source");
                MonkeyNetEngine.Output g;
                try (MonkeyNetEngine.Source s = net.prepare(source, sourceKp)) {
                    g = net.generate(s, driving, c.tensors().containsKey("mask_embedding"));
                }
                if (c.tensors().containsKey("mask_embedding")) {
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
            default -> throw new MotionKernelsException("unknown case kind '" + kind + "'");
        }
        return out;
    }

    /** First Order Motion Model's detector and generator cases (FORMAT.md, "First Order Motion Model cases"). */
    private static List<Comparison> fommParts(String kind, FommEngine net, Safetensors.Contents c) {
        List<Comparison> out = new ArrayList<>();
        switch (kind) {
            case "fomm:kp_detector" -> {
                FommEngine.Detected d = net.detect(c.require("image"), c.tensors().containsKey("heatmap_logits"));
                if (d.heatmapLogits() != null) {
                    out.add(Comparison.of("heatmap_logits", d.heatmapLogits(), c));
                }
                addFommKeypoints(out, d.keypoints(), c, "value", "jacobian");
            }
            case "fomm:generator" -> {
                Map<String, Tensor> g = net.generate(c.require("source"), fommKeypoints(c, "kp_source"),
                        fommKeypoints(c, "kp_driving"), true);
                for (String name : FommGraph.INTERMEDIATES) {
                    if (c.tensors().containsKey(name)) {
                        Tensor actual = g.get(name);
                        if (actual == null) {
                            throw new MotionKernelsException("case expects '" + name + "', which this configuration does not compute");
                        }
                        out.add(Comparison.of(name, actual, c));
                    }
                }
                out.add(Comparison.of("prediction", g.get(FommGraph.PREDICTION), c));
            }
            default -> throw new MotionKernelsException("unknown case kind '" + kind + "'");
        }
        return out;
    }

    /** A whole FOMM transfer, one driving frame at a time as FOMM's animate.py and demo.py run it. */
    private static List<Comparison> fommTransfer(Map<String, String> md, FommModel model, Safetensors.Contents c) {
        List<Comparison> out = new ArrayList<>();
        String json = md.get("normalization_params");
        FommConfig.Normalization norm = json == null ? model.config().normalization()
                : FommConfig.Normalization.parse(new Yaml(new SafeConstructor(new LoaderOptions())).load(json));
        Tensor source = c.require("source");
        Tensor driving = c.require("driving");
        int ch = driving.dim(1), t = driving.dim(2), h = driving.dim(3), w = driving.dim(4);
        FommModel.Transfer transfer = model.transfer(source, norm);
        addFommKeypoints(out, transfer.sourceKeypoints(), c, "kp_source_value", "kp_source_jacobian");
        List<FommKeypoints> drv = new ArrayList<>();
        List<FommKeypoints> nrm = new ArrayList<>();
        Tensor prediction = Tensor.zeros(1, ch, t, h, w);
        for (int f = 0; f < t; f++) {
            // one frame at a time, as FOMM's animate.py and demo.py run it
            FommModel.Transfer.Frames r = transfer.nextWithKeypoints(Frames.slice(driving, f, 1));
            Frames.copyInto(r.prediction(), prediction, f);
            drv.add(r.driving());
            nrm.add(r.normalized());
        }
        if (md.containsKey("movement_scale")) {
            double expected = Double.parseDouble(md.get("movement_scale").trim());
            out.add(new Comparison("movement_scale",
                    Tensor.of(new float[] {transfer.movementScale().floatValue()}, 1),
                    Tensor.of(new float[] {(float) expected}, 1)));
        }
        addFommKeypoints(out, FommKeypoints.concat(drv), c, "kp_driving_value", "kp_driving_jacobian");
        addFommKeypoints(out, FommKeypoints.concat(nrm), c, "kp_norm_value", "kp_norm_jacobian");
        out.add(Comparison.of("prediction", prediction, c));
        transfer.close();
        return out;
    }

    /** {@code actual} in the expected shape when it holds as many values (T frames of batch 1 are (1, T, ...)). */
    private static Tensor like(Tensor actual, Tensor expected) {
        return actual.numel() == expected.numel() ? actual.reshape(expected.shape()) : actual;
    }

    private static void addFommKeypoints(List<Comparison> out, FommKeypoints kp, Safetensors.Contents c, String value,
                                         String jacobian) {
        if (c.tensors().containsKey(value)) {
            Tensor e = c.require(value);
            out.add(new Comparison(value, like(kp.value(), e), e));
        }
        if (c.tensors().containsKey(jacobian)) {
            if (kp.jacobian() == null) {
                throw new MotionKernelsException("case expects '" + jacobian + "' but the configuration estimates no jacobians");
            }
            Tensor e = c.require(jacobian);
            out.add(new Comparison(jacobian, like(kp.jacobian(), e), e));
        }
    }

    private static FommKeypoints fommKeypoints(Safetensors.Contents c, String prefix) {
        return new FommKeypoints(c.require(prefix + "_value"), c.tensors().get(prefix + "_jacobian"));
    }

    private static List<Comparison> transfer(String kind, Map<String, String> md, ModelConfig config, MotionModel model,
                                             Safetensors.Contents c) {
        List<Comparison> out = new ArrayList<>();
        ModelConfig.Normalization norm = kind.equals("transfer")
                ? normalization(md.get("normalization_params"), config) : ModelConfig.Normalization.ABSOLUTE;
        PreparedSource source = model.prepare(c.require("source"));
        if (c.tensors().containsKey("kp_source_mean")) {
            out.add(Comparison.of("kp_source_mean", source.keypoints().mean(), c));
        }
        Animation.Frames frames = source.animate(norm).nextWithKeypoints(c.require("driving"));
        if (c.tensors().containsKey("kp_norm_mean")) {
            out.add(Comparison.of("kp_norm_mean", frames.keypoints().mean(), c));
        }
        out.add(Comparison.of("video_prediction", frames.videoPrediction(), c));
        return out;
    }

    private static void addKeypoints(List<Comparison> out, Keypoints kp, Safetensors.Contents c, String mean, String var) {
        out.add(Comparison.of(mean, kp.mean(), c));
        if (c.tensors().containsKey(var)) {
            if (kp.var() == null) {
                throw new MotionKernelsException("case expects '" + var + "' but the configuration has a constant variance");
            }
            out.add(Comparison.of(var, kp.var(), c));
        }
    }

    private static Keypoints keypoints(Safetensors.Contents c, String prefix) {
        Tensor var = c.tensors().get(prefix + "_var");
        return new Keypoints(c.require(prefix + "_mean"), var);
    }

    private static Weights weights(Path caseFile, Map<String, String> md, Function<Path, Weights> weightFiles) {
        String spec = md.getOrDefault("weights", "prng");
        if (spec.equals("prng")) {
            String seed = md.get("seed");
            if (seed == null) {
                throw new MotionKernelsException("case has prng weights but no 'seed' metadata");
            }
            try {
                return Weights.prng(Long.parseLong(seed.trim()));
            } catch (NumberFormatException e) {
                throw new MotionKernelsException("case has a seed that is not an integer: '" + seed + "'");
            }
        }
        if (spec.startsWith("file:")) {
            Path dir = caseFile.toAbsolutePath().getParent();
            return weightFiles.apply(dir.resolve(spec.substring(5)));
        }
        throw new MotionKernelsException("case has weights '" + spec + "': expected 'prng' or 'file:NAME'");
    }

    private static ModelConfig.Normalization normalization(String json, ModelConfig config) {
        if (json == null) {
            return config.normalization();
        }
        Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(json);
        return ModelConfig.Normalization.parse(o);
    }
}
