package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.model.Generator;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.model.MonkeyNet;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The GPU executor on {@link HostDevice} against the CPU model for configurations the reference
 * cases do not cover: scale factors, trilinear resizing, difference and sum-normalised embeddings,
 * single and constant variances, no dense motion, batch 2. Bound 1e-4 (relative L2).
 */
class GpuModelSyntheticTest {
    private static String yaml(String variance, double kpScale, String dense, String kpEmbedding, String interp) {
        return "model_params:\n"
                + "  common_params: {num_kp: 3, num_channels: 3, kp_variance: " + variance + "}\n"
                + "  kp_detector_params: {block_expansion: 4, max_features: 16, num_blocks: 2, temperature: 0.1,"
                + " scale_factor: " + kpScale + "}\n"
                + "  generator_params:\n"
                + "    block_expansion: 4\n    max_features: 16\n    num_blocks: 2\n    num_refinement_blocks: 1\n"
                + "    interpolation_mode: " + interp + "\n"
                + (dense == null ? "" : "    dense_motion_params: " + dense + "\n")
                + (kpEmbedding == null ? "" : "    kp_embedding_params: " + kpEmbedding + "\n");
    }

    static Stream<String[]> configs() {
        String dmFull = "{block_expansion: 4, max_features: 16, num_blocks: 2, use_mask: true, use_correction: true,"
                + " num_group_blocks: 1, scale_factor: 0.5, mask_embedding_params: {use_heatmap: true,"
                + " use_difference: true, use_deformed_source_image: true, heatmap_type: difference, norm_const: sum,"
                + " scale_factor: 0.5}}";
        String dmMask = "{block_expansion: 4, max_features: 16, num_blocks: 2, use_mask: true,"
                + " mask_embedding_params: {use_heatmap: true, norm_const: 10}}";
        String kpEmb = "{use_heatmap: true, use_difference: true, heatmap_type: difference, norm_const: 10,"
                + " scale_factor: 0.5}";
        return Stream.of(
                new String[] {"matrix-scaled-trilinear", yaml("matrix", 0.5, dmFull, kpEmb, "trilinear")},
                new String[] {"single-nearest", yaml("single", 1, dmMask, "{use_heatmap: true, use_deformed_source_image: true}",
                        "nearest")},
                new String[] {"constant-no-dense-motion", yaml("0.01", 1, null, kpEmb, "nearest")},
                new String[] {"no-embedding", yaml("matrix", 1, dmFull, null, "trilinear")});
    }

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = r.nextFloat();
        }
        return t;
    }

    private static void assertClose(String what, Tensor actual, Tensor expected) {
        Comparison c = new Comparison(what, actual, expected);
        assertTrue(c.passes(1e-4), c.describe());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesTheCpuModel(String name, String yaml) {
        ModelConfig config = ModelConfig.parse(name, yaml);
        Weights w = Weights.prng(7);
        MonkeyNet cpu = MonkeyNet.build(config, w);
        Random r = new Random(name.hashCode());
        int b = 2, d = 3, h = 16, wd = 16;
        Tensor source = random(r, b, 3, 1, h, wd);
        Tensor driving = random(r, b, 3, d, h, wd);
        try (GpuModel gpu = GpuModel.create(config, w, new HostDevice(), new GpuModel.Options(true, false))) {
            Keypoints kpDrv = gpu.detect(driving);
            Keypoints cpuDrv = cpu.kpDetector().detect(driving);
            assertClose("driving mean", kpDrv.mean(), cpuDrv.mean());
            if (cpuDrv.var() != null) {
                assertClose("driving var", kpDrv.var(), cpuDrv.var());
            }
            Keypoints cpuSrc = cpu.kpDetector().detect(source);
            try (GpuModel.Source s = gpu.prepare(source, cpuSrc)) {
                Generator.Output g = gpu.generate(s, cpuDrv);
                Generator.Output e = cpu.generator().forward(source, cpu.generator().encode(source), cpuDrv, cpuSrc);
                assertClose("deformation", g.deformation(), e.deformation());
                assertClose("video_deformed", g.videoDeformed(), e.videoDeformed());
                assertClose("video_prediction", g.videoPrediction(), e.videoPrediction());
            }
        }
    }

    /** After the first call of a size, the per-frame work allocates nothing (graphs on and off). */
    @Test
    void noAllocationPerFrameAfterWarmUp() {
        for (boolean graphs : new boolean[] {false, true}) {
            ModelConfig config = ModelConfig.parse("t", configs().findFirst().orElseThrow()[1]);
            HostDevice dev = new HostDevice();
            Random r = new Random(3);
            try (GpuModel gpu = GpuModel.create(config, Weights.prng(1), dev, new GpuModel.Options(true, graphs));
                 GpuModel.Source s = gpu.prepare(random(r, 1, 3, 1, 16, 16))) {
                Tensor first = random(r, 1, 3, 2, 16, 16);
                Generator.Output out1 = gpu.generate(s, gpu.detect(first));
                long before = dev.allocations();
                long convs = dev.convCalls();
                Tensor second = random(r, 1, 3, 2, 16, 16);
                Keypoints kp2 = gpu.detect(second);
                Generator.Output out2 = gpu.generate(s, kp2);
                assertEquals(before, dev.allocations(), "allocations after warm-up, graphs " + graphs);
                assertTrue(dev.convCalls() > convs);
                // New inputs really flow through a replayed graph: the output changes.
                assertTrue(new Comparison("x", out2.videoPrediction(), out1.videoPrediction()).relativeL2() > 1e-6);
                Keypoints kpAgain = gpu.detect(first);
                assertClose("keypoints again (graphs " + graphs + ")", kpAgain.mean(), gpu.detect(first).mean());
                Generator.Output again = gpu.generate(s, kpAgain);
                assertClose("same input, same output (graphs " + graphs + ")", again.videoPrediction(),
                        out1.videoPrediction());
            }
        }
    }
}
