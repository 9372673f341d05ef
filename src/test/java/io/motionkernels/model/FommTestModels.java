package io.motionkernels.model;

import io.motionkernels.checkpoint.StateDict;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.FommKernels;
import io.motionkernels.fomm.FommParams;
import io.motionkernels.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Small FOMM configurations for fast tests, and prng weights as a complete checkpoint state dict. */
public final class FommTestModels {
    private FommTestModels() {
    }

    /**
     * A vox-256-shaped model scaled down: 64x64 images, detector and dense motion at half size
     * (32x32, antialias k 5), features at 16x16, so that the deformation and the occlusion map
     * are resized. {@code extra} lines are appended to the blocks by key (already indented).
     */
    public static String yaml(String common, String kp, String generator, String dense) {
        return "dataset_params:\n  frame_shape: [64, 64, 3]\n"
                + "model_params:\n"
                + "  common_params:\n    num_kp: 5\n    num_channels: 3\n" + common
                + "  kp_detector_params:\n    temperature: 0.1\n    block_expansion: 8\n    max_features: 32\n"
                + "    num_blocks: 3\n" + kp
                + "  generator_params:\n    block_expansion: 8\n    max_features: 32\n    num_down_blocks: 2\n"
                + "    num_bottleneck_blocks: 2\n" + generator
                + (dense == null ? "" : "    dense_motion_params:\n      block_expansion: 8\n      max_features: 32\n"
                + "      num_blocks: 3\n" + dense)
                + "animate_params:\n  normalization_params:\n    adapt_movement_scale: False\n"
                + "    use_relative_movement: True\n    use_relative_jacobian: True\n";
    }

    /** The default small model: jacobians, occlusion, scale 0.5 for the detector and the dense motion. */
    public static FommConfig small() {
        return FommConfig.parse("small", yaml("    estimate_jacobian: True\n", "    scale_factor: 0.5\n",
                "    estimate_occlusion_map: True\n", "      scale_factor: 0.5\n"));
    }

    /** Every parameter {@code config} asks for, prng with {@code seed}, plus the antialias buffers and BN counters. */
    public static StateDict stateDict(FommConfig config, long seed) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Weights prng = Weights.prng(seed);
        FommParams.of(config, (name, shape) -> {
            Tensor t = prng.get(name, shape);
            tensors.put(name, t);
            if (name.endsWith(".running_var")) {
                tensors.put(name.replace(".running_var", ".num_batches_tracked"), Tensor.zeros(1));
            }
            return t;
        });
        int c = config.numChannels();
        putKernel(tensors, "kp_detector.down.weight", c, config.kpDetector().scaleFactor());
        if (config.generator().denseMotion() != null) {
            putKernel(tensors, "generator.dense_motion_network.down.weight", c,
                    config.generator().denseMotion().scaleFactor());
        }
        return new StateDict("prng " + seed, tensors);
    }

    private static void putKernel(Map<String, Tensor> tensors, String name, int c, double scale) {
        if (scale == 1) {
            return;
        }
        int k = FommKernels.antialiasKernelSize(scale);
        float[] one = FommKernels.antialiasKernel(scale);
        float[] all = new float[c * k * k];
        for (int i = 0; i < c; i++) {
            System.arraycopy(one, 0, all, i * k * k, k * k);
        }
        tensors.put(name, Tensor.of(all, c, 1, k, k));
    }
}
