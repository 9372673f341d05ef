package io.motionkernels.cuda;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.model.Generator;
import io.motionkernels.model.KeypointNormalization;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The whole-model reference cases ({@code kp_detector}, {@code generator}, {@code transfer},
 * {@code absolute_transfer_float32}) run through a {@link GpuModel}, as
 * {@code conformance.ModelCases} runs them through the CPU model. Used by the fake-device unit
 * test and by the GPU harness.
 */
public final class GpuModelCases {
    private GpuModelCases() {
    }

    public static boolean handles(String kind) {
        return switch (kind) {
            case "kp_detector", "generator", "transfer", "absolute_transfer_float32" -> true;
            default -> false;
        };
    }

    /** Runs one case; {@code models} builds (and hands over) a GPU model for a configuration and weights. */
    public static List<Comparison> run(Path caseFile, Function<Path, Weights> weightFiles,
                                       BiFunction<ModelConfig, Weights, GpuModel> models) {
        Safetensors.Contents c = Safetensors.read(caseFile);
        Map<String, String> md = c.metadata();
        String kind = md.get("kind");
        ModelConfig config = ModelConfig.parse(md.getOrDefault("config_name", "case"), md.get("config"));
        List<Comparison> out = new ArrayList<>();
        try (GpuModel model = models.apply(config, weights(caseFile, md, weightFiles))) {
            switch (kind) {
                case "kp_detector" -> {
                    Tensor input = c.tensors().containsKey("image") ? c.require("image") : c.require("video");
                    Keypoints kp = model.detect(input);
                    out.add(Comparison.of("mean", kp.mean(), c));
                    if (c.tensors().containsKey("var")) {
                        out.add(Comparison.of("var", kp.var(), c));
                    }
                }
                case "generator" -> {
                    Keypoints driving = new Keypoints(c.require("kp_driving_mean"), c.tensors().get("kp_driving_var"));
                    Keypoints sourceKp = new Keypoints(c.require("kp_source_mean"), c.tensors().get("kp_source_var"));
                    try (GpuModel.Source s = model.prepare(c.require("source"), sourceKp)) {
                        Generator.Output g = model.generate(s, driving);
                        for (String name : new String[] {"deformation", "video_deformed"}) {
                            if (c.tensors().containsKey(name)) {
                                out.add(Comparison.of(name, name.equals("deformation") ? g.deformation()
                                        : g.videoDeformed(), c));
                            }
                        }
                        out.add(Comparison.of("video_prediction", g.videoPrediction(), c));
                    }
                }
                case "transfer", "absolute_transfer_float32" -> {
                    ModelConfig.Normalization norm = kind.equals("transfer")
                            ? normalization(md.get("normalization_params"), config) : ModelConfig.Normalization.ABSOLUTE;
                    try (GpuModel.Source s = model.prepare(c.require("source"))) {
                        if (c.tensors().containsKey("kp_source_mean")) {
                            out.add(Comparison.of("kp_source_mean", s.keypoints().mean(), c));
                        }
                        Keypoints driving = model.detect(c.require("driving"));
                        Keypoints normalized = KeypointNormalization.normalize(driving, driving.firstFrame(),
                                s.keypoints(), norm);
                        if (c.tensors().containsKey("kp_norm_mean")) {
                            out.add(Comparison.of("kp_norm_mean", normalized.mean(), c));
                        }
                        out.add(Comparison.of("video_prediction", model.generate(s, normalized).videoPrediction(), c));
                    }
                }
                default -> throw new MotionKernelsException("not a model case: '" + kind + "'");
            }
        }
        return out;
    }

    private static Weights weights(Path caseFile, Map<String, String> md, Function<Path, Weights> weightFiles) {
        String spec = md.getOrDefault("weights", "prng");
        if (spec.equals("prng")) {
            return Weights.prng(Long.parseLong(md.get("seed").trim()));
        }
        if (spec.startsWith("file:")) {
            return weightFiles.apply(caseFile.toAbsolutePath().getParent().resolve(spec.substring(5)));
        }
        throw new MotionKernelsException("case has weights '" + spec + "'");
    }

    private static ModelConfig.Normalization normalization(String json, ModelConfig config) {
        if (json == null) {
            return config.normalization();
        }
        Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(json);
        return ModelConfig.Normalization.parse(o);
    }
}
