package io.motionkernels.bench;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Whole-model frames per second on the CPU backend with deterministic prng weights (speed does not
 * depend on the weights' values): a prepared source (keypoints and encoder skips computed once,
 * outside the measurement) animated by driving frames, either streamed one at a time or in a batch.
 * The score is operations per second; the {@code frames} counter is frames per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx8g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ModelBench {

    /** One published configuration at its default size (shapes and nemo 64, moving-gif 128, vox 256). */
    @State(Scope.Benchmark)
    public static class Model {
        @Param({"shapes", "nemo", "moving-gif", "vox"})
        public String config;

        /**
         * Frames per batch as {@code config=frames} pairs, so that each configuration gets a batch its
         * cost allows on a small machine; a configuration not listed uses the last number given.
         */
        @Param({"shapes=32,nemo=32,moving-gif=8,vox=4"})
        public String batch;

        MotionModel model;
        PreparedSource prepared;
        Animation animation;
        Tensor frame;
        Tensor frames;
        int batchFrames;

        @Setup(Level.Trial)
        public void setup() {
            ModelConfig c = ModelConfig.published(config);
            int size = c.defaultSize();
            int n = batchFrames(batch, config);
            model = MotionModel.create(c, Weights.prng(7), Backend.CPU);
            prepared = model.prepare(Inputs.uniform(20, 0f, 1f, 1, 3, 1, size, size));
            animation = prepared.animate(ModelConfig.Normalization.RELATIVE);
            frame = Inputs.uniform(21, 0f, 1f, 1, 3, 1, size, size);
            frames = Inputs.uniform(22, 0f, 1f, 1, 3, n, size, size);
            // The first call fixes the animation's reference (first) frame: do it outside the measurement.
            requireFinite(animation.next(frame));
            batchFrames = n;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            prepared.close();
            model.close();
        }
    }

    static int batchFrames(String spec, String config) {
        int last = 1;
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length == 1) {
                last = Integer.parseInt(kv[0].trim());
            } else if (kv[0].trim().equals(config)) {
                return Integer.parseInt(kv[1].trim());
            } else {
                last = Integer.parseInt(kv[1].trim());
            }
        }
        return last;
    }

    /** Garbage in speed measurements (NaN, infinities) would mean the benchmark measures the wrong thing. */
    static void requireFinite(Tensor t) {
        for (float v : t.data()) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("the model produced a non-finite value: benchmark inputs are broken");
            }
        }
    }

    @Benchmark
    public Tensor stream(Model m, FrameCounter c) {
        c.frames += 1;
        return m.animation.next(m.frame);
    }

    @Benchmark
    public Tensor batch(Model m, FrameCounter c) {
        c.frames += m.batchFrames;
        return m.animation.next(m.frames);
    }
}
