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
 * Streaming latency: the time of every streamed frame (JMH SampleTime times each call when a call
 * takes longer than its sampling interval, as a 64x64 frame does), so the score's percentiles are
 * per-frame p50 / p99. The goal is p99 within 1.25x of the median with no GC pause inside the
 * measured window: run with {@code -prof gc} and read gc.count. The measurement is one iteration of
 * 80 s, about 2,000 nemo frames on an idle 2-core machine; the sample count JMH prints ("N = ")
 * is the number of frames measured, so lengthen {@code -r} on a slower or busier machine.
 *
 * <p>The heap is fixed and the young generation large so that the few hundred kilobytes a frame
 * allocates (its output tensor and the call's small objects) fill it in no fewer than several
 * thousand frames.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms3g", "-Xmx3g", "-Xmn2g"})
@Warmup(iterations = 4, time = 5)
@Measurement(iterations = 1, time = 80)
public class LatencyBench {
    @State(Scope.Benchmark)
    public static class Stream {
        @Param({"nemo"})
        public String config;

        MotionModel model;
        PreparedSource prepared;
        Animation animation;
        Tensor frame;

        @Setup(Level.Trial)
        public void setup() {
            ModelConfig c = ModelConfig.published(config);
            int size = c.defaultSize();
            model = MotionModel.create(c, Weights.prng(7), Backend.CPU);
            prepared = model.prepare(Inputs.uniform(20, 0f, 1f, 1, 3, 1, size, size));
            animation = prepared.animate(ModelConfig.Normalization.RELATIVE);
            frame = Inputs.uniform(21, 0f, 1f, 1, 3, 1, size, size);
            ModelBench.requireFinite(animation.next(frame));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            prepared.close();
            model.close();
        }
    }

    @Benchmark
    public Tensor streamFrame(Stream s) {
        return s.animation.next(s.frame);
    }
}
