package io.motionkernels.monkeynet;

import io.motionkernels.model.ModelConfig;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.engine.Executor;
import io.motionkernels.engine.Graph;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The executor's orchestration, the part the GPU shares with the CPU: memory plans with reuse,
 * NaN poisoning of every planned buffer outside its lifetime, and captured replays, all on the CPU
 * device. A lifetime or aliasing mistake shows as NaN or as a difference from the plain run.
 */
class MonkeyNetEngineTest {
    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = r.nextFloat();
        }
        return t;
    }

    private static MonkeyNetEngine.Output animate(MonkeyNetEngine e, Tensor source, Tensor driving, int rounds) {
        MonkeyNetEngine.Output out = null;
        try (MonkeyNetEngine.Source s = e.prepare(source)) {
            for (int i = 0; i < rounds; i++) {
                Keypoints kp = e.detect(driving);
                out = e.generate(s, kp);
            }
        }
        return out;
    }

    private static void assertFinite(Tensor t, String what) {
        for (float v : t.data()) {
            assertTrue(Float.isFinite(v), what + " has a non-finite value");
        }
    }

    @Test
    void poisonedReplayedRunsEqualThePlainRun() {
        for (String name : new String[] {"shapes", "nemo"}) {
            ModelConfig config = ModelConfig.published(name);
            int size = name.equals("shapes") ? 64 : 64;
            Random r = new Random(7);
            Tensor source = random(r, 1, 3, 1, size, size);
            Tensor driving = random(r, 1, 3, 3, size, size);
            MonkeyNetParams params = MonkeyNetParams.of(config, Weights.prng(11));
            MonkeyNetEngine.Output plain;
            try (MonkeyNetEngine e = MonkeyNetEngine.create(params, new CpuDevice(), Executor.Options.DEFAULT)) {
                plain = animate(e, source, driving, 1);
            }
            // three rounds: uncaptured warm-up, capture, replay
            try (MonkeyNetEngine e = MonkeyNetEngine.create(params, new CpuDevice(), new Executor.Options(true, true))) {
                MonkeyNetEngine.Output checked = animate(e, source, driving, 3);
                assertFinite(checked.videoPrediction(), name + " prediction");
                assertArrayEquals(plain.videoPrediction().data(), checked.videoPrediction().data(), name);
                assertArrayEquals(plain.videoDeformed().data(), checked.videoDeformed().data(), name);
                assertArrayEquals(plain.deformation().data(), checked.deformation().data(), name);
                assertEquals(4, e.plans().size(), name + ": detect (source, driving), prepare, generate: " + e.plans().keySet());
            }
        }
    }

    @Test
    void arenaReusesMemoryAndStreamingAddsNoPlans() {
        ModelConfig config = ModelConfig.published("nemo");
        MonkeyNetParams params = MonkeyNetParams.of(config, Weights.prng(3));
        Graph g = new MonkeyNetGraph(params).generate(1, 1, 64, 64, false);
        try (MonkeyNetEngine e = MonkeyNetEngine.create(params, new CpuDevice(), Executor.Options.DEFAULT)) {
            Random r = new Random(1);
            try (MonkeyNetEngine.Source s = e.prepare(random(r, 1, 3, 1, 64, 64))) {
                for (int i = 0; i < 3; i++) {
                    e.generate(s, e.detect(random(r, 1, 3, 1, 64, 64)));
                }
            }
            assertEquals(3, e.plans().size(), e.plans().keySet().toString());
            var layout = e.plans().values().stream().reduce((a, b) -> b).orElseThrow();
            assertTrue(layout.arenaBytes() < layout.totalBytes() / 2, "arena " + layout);
            assertTrue(layout.arenaBytes() >= layout.peakLiveBytes(), "arena " + layout);
        }
        assertFalse(g.nodes().isEmpty());
    }

    @Test
    void aClosedSourceCannotBeAnimated() {
        ModelConfig config = ModelConfig.published("shapes");
        try (MonkeyNetEngine e = MonkeyNetEngine.create(config, Weights.prng(5), new CpuDevice(), Executor.Options.DEFAULT)) {
            Random r = new Random(2);
            MonkeyNetEngine.Source s = e.prepare(random(r, 1, 3, 1, 64, 64));
            Keypoints kp = e.detect(random(r, 1, 3, 1, 64, 64));
            s.close();
            s.close();
            assertThrows(IllegalStateException.class, () -> e.generate(s, kp));
        }
    }

    @Test
    void findNonFiniteNamesTheFirstDivergingNode() {
        ModelConfig config = ModelConfig.published("shapes");
        Weights prng = Weights.prng(5);
        // weights of the detector's second down block blown up: its output overflows to infinity
        Weights broken = (name, shape) -> {
            Tensor t = prng.get(name, shape);
            if (!name.equals("kp_detector.predictor.encoder.down_blocks.1.conv.weight")) {
                return t;
            }
            float[] d = t.data().clone();
            for (int i = 0; i < d.length; i++) {
                d[i] *= 1e38f;
            }
            return Tensor.of(d, shape);
        };
        Random r = new Random(4);
        Tensor frame = random(r, 1, 3, 1, 64, 64);
        try (MonkeyNetEngine e = MonkeyNetEngine.create(config, broken, new CpuDevice(), new Executor.Options(false, false, true))) {
            Executor.NonFiniteException ex = assertThrows(Executor.NonFiniteException.class, () -> e.detect(frame));
            assertTrue(ex.getMessage().contains("node kp_detector.predictor.encoder.down_blocks.1.conv"), ex.getMessage());
        }
        try (MonkeyNetEngine e = MonkeyNetEngine.create(config, prng, new CpuDevice(), new Executor.Options(false, false, true))) {
            assertFinite(e.detect(frame).mean(), "healthy keypoints");
        }
    }
}
