package io.motionkernels.fomm;

import io.motionkernels.checkpoint.CheckpointException;
import io.motionkernels.model.ConfigException;
import io.motionkernels.model.FommConfig;
import io.motionkernels.model.FommKeypoints;
import io.motionkernels.model.FommTestModels;
import io.motionkernels.checkpoint.StateDict;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.engine.Executor;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FOMM through the one engine on the CPU device: every option of FOMM.md builds and runs, the
 * executor's poisoning and replay change nothing, and properties that hold whatever the weights:
 * with the driving keypoints equal to the source's, every sparse motion and the deformation are
 * the identity and the deformed source is the source.
 */
class FommEngineTest {
    private static final int SIZE = 64;

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = r.nextFloat();
        }
        return t;
    }

    private static FommEngine engine(FommConfig c, Weights w, Executor.Options o) {
        return FommEngine.create(c, w, new CpuDevice(), o);
    }

    private static void assertFinite(Tensor t, String what) {
        for (float v : t.data()) {
            assertTrue(Float.isFinite(v), what + " has a non-finite value");
        }
    }

    private static FommConfig variant(String name, String common, String kp, String gen, String dense) {
        return FommConfig.parse(name, FommTestModels.yaml(common, kp, gen, dense));
    }

    /** Every option: jacobians or none, one map, pad, scale factors, another K, no occlusion, no dense motion. */
    private static Map<String, FommConfig> variants() {
        String jac = "    estimate_jacobian: True\n";
        String occ = "    estimate_occlusion_map: True\n";
        Map<String, FommConfig> m = new LinkedHashMap<>();
        m.put("small", FommTestModels.small());
        m.put("no jacobians", variant("nojac", "", "    scale_factor: 0.5\n", occ, "      scale_factor: 0.5\n"));
        m.put("single jacobian map", variant("single", jac, "    scale_factor: 0.5\n    single_jacobian_map: True\n",
                occ, "      scale_factor: 0.5\n"));
        m.put("pad 2", variant("pad", jac, "    scale_factor: 0.5\n    pad: 2\n", occ, "      scale_factor: 0.5\n"));
        m.put("pad 3, scale 1", variant("pad3", jac, "    pad: 3\n", occ, ""));
        m.put("scale 0.25", variant("quarter", jac, "    scale_factor: 0.25\n", occ, "      scale_factor: 0.25\n"));
        m.put("7 keypoints", FommConfig.parse("k7", FommTestModels.yaml(jac, "    scale_factor: 0.5\n", occ,
                "      scale_factor: 0.5\n").replace("num_kp: 5", "num_kp: 7")));
        m.put("no occlusion", variant("noocc", jac, "    scale_factor: 0.5\n", "", "      scale_factor: 0.5\n"));
        m.put("no dense motion", variant("nodm", jac, "    scale_factor: 0.5\n", occ, null));
        return m;
    }

    @Test
    void everyOptionRunsAndKeepsTheIdentityWhenNothingMoves() {
        for (Map.Entry<String, FommConfig> e : variants().entrySet()) {
            FommConfig c = e.getValue();
            String what = e.getKey();
            Random r = new Random(3);
            Tensor images = random(r, 2, 3, SIZE, SIZE);
            try (FommEngine net = engine(c, Weights.prng(5), Executor.Options.DEFAULT)) {
                FommEngine.Detected d = net.detect(images, true);
                int[] hs = c.heatmapSize(SIZE, SIZE);
                assertArrayEquals(new int[] {2, c.numKp(), hs[0], hs[1]}, d.heatmapLogits().shape(), what);
                assertArrayEquals(new int[] {2, c.numKp(), 2}, d.keypoints().value().shape(), what);
                assertEquals(c.estimateJacobian(), d.keypoints().jacobian() != null, what);
                for (float v : d.keypoints().value().data()) {
                    assertTrue(v >= -1 && v <= 1, what + ": keypoint outside the grid: " + v);
                }
                // The same keypoints as source and driving: nothing moves.
                FommKeypoints kp = d.keypoints();
                Map<String, Tensor> g = net.generate(images, kp, kp, true);
                Tensor prediction = g.get(FommGraph.PREDICTION);
                assertArrayEquals(new int[] {2, 3, SIZE, SIZE}, prediction.shape(), what);
                assertFinite(prediction, what);
                if (c.generator().denseMotion() == null) {
                    assertNull(g.get("deformation"), what);
                    continue;
                }
                int[] dm = c.denseMotionSize(SIZE, SIZE);
                Tensor motion = g.get("sparse_motion");
                Tensor deformation = g.get("deformation");
                for (int b = 0; b < 2; b++) {
                    for (int i = 0; i < dm[0]; i++) {
                        for (int j = 0; j < dm[1]; j++) {
                            double x = 2.0 * j / (dm[1] - 1) - 1;
                            double y = 2.0 * i / (dm[0] - 1) - 1;
                            for (int s = 0; s <= c.numKp(); s++) {
                                assertEquals(x, motion.get(b, s, i, j, 0), 2e-5, what + " sparse motion x");
                                assertEquals(y, motion.get(b, s, i, j, 1), 2e-5, what + " sparse motion y");
                            }
                            assertEquals(x, deformation.get(b, i, j, 0), 2e-5, what + " deformation x");
                            assertEquals(y, deformation.get(b, i, j, 1), 2e-5, what + " deformation y");
                        }
                    }
                }
                if (dm[0] == SIZE) {
                    // (at another size the bilinear resize, align_corners false, bends the identity near the borders)
                    assertTrue(Comparison.relativeL2(g.get("deformed"), images) < 1e-5, what + ": deformed is not the source");
                }
                assertEquals(c.generator().estimateOcclusionMap(), g.containsKey("occlusion_map"), what);
                Tensor mask = g.get("mask");
                int plane = dm[0] * dm[1];
                for (int b = 0; b < 2; b++) {
                    for (int p = 0; p < plane; p++) {
                        double sum = 0;
                        for (int s = 0; s <= c.numKp(); s++) {
                            sum += mask.data()[(b * (c.numKp() + 1) + s) * plane + p];
                        }
                        assertEquals(1, sum, 1e-5, what + ": the mask is not a softmax over the slots");
                    }
                }
            }
        }
    }

    /**
     * Each of the eight published configurations (their real channel counts, keypoints, blocks and
     * options) builds, detects and generates, at the smallest size it accepts (its real layers, fewer
     * pixels). Configurations with the same networks run once: seven of the eight are vox-256's
     * networks (they differ in data and training only), mgif-256 has one jacobian map.
     */
    @Test
    void everyPublishedConfigurationRuns() {
        java.util.Set<FommConfig> seen = new java.util.HashSet<>();
        for (String name : FommConfig.PUBLISHED) {
            FommConfig c = FommConfig.published(name);
            FommConfig networks = new FommConfig("", c.numKp(), c.numChannels(), c.estimateJacobian(), c.kpDetector(),
                    c.generator(), FommConfig.Normalization.ABSOLUTE, c.defaultSize());
            if (!seen.add(networks)) {
                continue; // the same networks as one already run
            }
            int size = 0;
            for (int s = 32; s <= c.defaultSize() && size == 0; s *= 2) {
                try {
                    c.checkSize(s, s);
                    size = s;
                } catch (ConfigException tooSmall) {
                    // the next power of two
                }
            }
            assertTrue(size > 0, name + " accepts no size up to its own");
            Tensor images = random(new Random(4), 1, 3, size, size);
            try (FommEngine net = engine(c, Weights.prng(5), Executor.Options.DEFAULT)) {
                FommKeypoints kp = net.detect(images);
                assertArrayEquals(new int[] {1, c.numKp(), 2}, kp.value().shape(), name);
                assertEquals(c.estimateJacobian(), kp.jacobian() != null, name);
                Tensor prediction = net.generate(images, kp, kp);
                assertArrayEquals(new int[] {1, 3, size, size}, prediction.shape(), name);
                assertFinite(prediction, name);
            }
        }
        // vox-256's networks (bair, fashion, nemo, taichi and the adversarial ones too) and mgif-256's
        assertEquals(2, seen.size(), "distinct networks among the published configurations");
    }

    @Test
    void poisonedReplayedRunsEqualThePlainRun() {
        FommConfig c = FommTestModels.small();
        Random r = new Random(11);
        Tensor src = random(r, 1, 3, SIZE, SIZE);
        Tensor drv = random(r, 1, 3, SIZE, SIZE);
        Tensor[] plain = run(c, Executor.Options.DEFAULT, src, drv);
        Tensor[] checked = run(c, new Executor.Options(true, true, false), src, drv);
        for (int i = 0; i < plain.length; i++) {
            assertArrayEquals(plain[i].data(), checked[i].data(), "output " + i);
        }
    }

    private static Tensor[] run(FommConfig c, Executor.Options o, Tensor src, Tensor drv) {
        try (FommEngine net = engine(c, Weights.prng(9), o)) {
            Tensor p = null;
            FommKeypoints ks = null;
            FommKeypoints kd = null;
            for (int i = 0; i < 3; i++) { // the third run of a plan replays its capture
                ks = net.detect(src);
                kd = net.detect(drv);
                p = net.generate(src, ks, kd);
            }
            return new Tensor[] {ks.value(), ks.jacobian(), kd.value(), p};
        }
    }

    @Test
    void framesTogetherEqualFramesOneByOne() {
        try (io.motionkernels.FommModel model = io.motionkernels.FommModel.create(FommTestModels.small(),
                Weights.prng(4), io.motionkernels.Backend.CPU)) {
            Random r = new Random(1);
            Tensor source = random(r, 1, 3, SIZE, SIZE);
            Tensor video = random(r, 1, 3, 3, SIZE, SIZE);
            FommConfig.Normalization norm = new FommConfig.Normalization(true, true, true);
            Tensor together = model.transfer(source, norm).next(video);
            io.motionkernels.FommModel.Transfer t = model.transfer(source, norm);
            Tensor byOne = Tensor.zeros(1, 3, 3, SIZE, SIZE);
            for (int f = 0; f < 3; f++) {
                io.motionkernels.tensor.Frames.copyInto(t.next(io.motionkernels.tensor.Frames.slice(video, f, 1)), byOne, f);
            }
            assertTrue(Comparison.relativeL2(together, byOne) < 1e-6, "batched frames differ");
            assertNotNull(t.movementScale());
        }
    }

    /** Several frames per source in one generate (poisoned, replayed) equal one frame per call, for every option. */
    @Test
    void framesOfAPreparedSourceEqualSingleFrames() {
        for (Map.Entry<String, FommConfig> e : variants().entrySet()) {
            FommConfig c = e.getValue();
            Random r = new Random(8);
            Tensor sources = random(r, 2, 3, SIZE, SIZE);
            Tensor frames = random(r, 6, 3, SIZE, SIZE);
            Tensor together;
            FommKeypoints drv;
            FommKeypoints src;
            try (FommEngine net = engine(c, Weights.prng(5), new Executor.Options(true, true, false))) {
                drv = net.detect(frames);
                FommKeypoints ks = net.detect(sources);
                // frame-major: the three frames of source 0, then those of source 1
                src = FommKeypoints.concat(java.util.List.of(ks.item(0), ks.item(0), ks.item(0), ks.item(1), ks.item(1),
                        ks.item(1)));
                try (FommEngine.Source s = net.prepare(sources)) {
                    Tensor last = null;
                    for (int i = 0; i < 3; i++) { // the third run replays the captured second
                        last = net.generate(s, src, drv, false).get(FommGraph.PREDICTION);
                    }
                    together = last;
                }
            }
            try (FommEngine net = engine(c, Weights.prng(5), Executor.Options.DEFAULT)) {
                for (int f = 0; f < 6; f++) {
                    Tensor one = Tensor.zeros(1, 3, SIZE, SIZE);
                    System.arraycopy(sources.data(), (f / 3) * one.numel(), one.data(), 0, one.numel());
                    Tensor p = net.generate(one, src.item(f), drv.item(f));
                    float[] t = java.util.Arrays.copyOfRange(together.data(), f * one.numel(), (f + 1) * one.numel());
                    assertTrue(Comparison.relativeL2(Tensor.of(t, 1, 3, SIZE, SIZE), p) < 1e-6,
                            e.getKey() + ": frame " + f + " differs");
                }
            }
        }
    }

    @Test
    void checkpointStateDictsAreCheckedWholeAndTheirAntialiasKernelsAgainstTheFormula() {
        FommConfig c = FommTestModels.small();
        Random r = new Random(2);
        Tensor img = random(r, 1, 3, SIZE, SIZE);
        Tensor fromPrng;
        try (FommEngine net = engine(c, Weights.prng(6), Executor.Options.DEFAULT)) {
            fromPrng = net.detect(img).value();
        }
        StateDict sd = FommTestModels.stateDict(c, 6);
        try (FommEngine net = engine(c, sd, Executor.Options.DEFAULT)) {
            assertArrayEquals(fromPrng.data(), net.detect(img).value().data());
        }
        // a kernel that is not the formula's Gaussian
        Map<String, Tensor> bad = new LinkedHashMap<>(FommTestModels.stateDict(c, 6).tensors());
        Tensor k = bad.get("kp_detector.down.weight").copy();
        k.data()[7] += 1e-3f;
        bad.put("kp_detector.down.weight", k);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> FommParams.of(c, new StateDict("bad", bad)));
        assertTrue(e.getMessage().contains("kp_detector.down.weight"), e.getMessage());
        // a missing parameter
        Map<String, Tensor> missing = new LinkedHashMap<>(FommTestModels.stateDict(c, 6).tensors());
        missing.remove("generator.bottleneck.r1.conv2.bias");
        RuntimeException m = assertThrows(RuntimeException.class, () -> FommParams.of(c, new StateDict("m", missing)));
        assertTrue(m.getMessage().contains("generator.bottleneck.r1.conv2.bias"), m.getMessage());
        // an unexpected one
        Map<String, Tensor> extra = new LinkedHashMap<>(FommTestModels.stateDict(c, 6).tensors());
        extra.put("generator.bottleneck.r9.conv2.bias", Tensor.zeros(32));
        RuntimeException x = assertThrows(RuntimeException.class, () -> FommParams.of(c, new StateDict("x", extra)));
        assertTrue(x.getMessage().contains("r9"), x.getMessage());
    }

    @Test
    void sizesThatDoNotFitAreRefusedBeforeAnyWork() {
        FommConfig c = FommTestModels.small();
        ConfigException e = assertThrows(ConfigException.class, () -> c.checkSize(60, 64));
        assertTrue(e.getMessage().contains("60x64"), e.getMessage());
        try (FommEngine net = engine(c, Weights.prng(1), Executor.Options.DEFAULT)) {
            assertThrows(ConfigException.class, () -> net.detect(Tensor.zeros(1, 3, 40, 40)));
            assertThrows(IllegalArgumentException.class, () -> net.detect(Tensor.zeros(1, 1, 64, 64)));
        }
    }
}
