package io.motionkernels.bench;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.MotionModel;
import io.motionkernels.Precision;
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
 * {@link ModelBench} on the CUDA backend: {@code MotionModel.create(config, Weights.prng(7),
 * Backend.CUDA, precision)}, a prepared source, then driving frames streamed one per call or sent
 * in a batch. The public model API takes and returns host tensors, so one operation is: upload the
 * driving frame(s), run the whole frame on the GPU, download the prediction (the download waits
 * for the stream, so the time is real). Host-device copies are therefore INCLUDED, unlike in
 * {@link GpuKernelBench}; the declared {@link Work} is those copies' bytes (input frames in,
 * predictions out, float32) and no FLOPs, so {@code bytes} reads as the PCIe traffic per second
 * the benchmark needed. The conv FLOPs per frame come from bench_torch.py's count, as for the CPU.
 * Batch sizes default to the GPU's: 32 frames for every configuration (the CPU's reductions were
 * for a 2-core machine). @Setup fails fast where CUDA is not usable.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx8g"})
// Shorter than ModelBench's 2 x 2 s + 3 x 3 s: a GPU frame takes milliseconds, not hundreds of them.
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class GpuModelBench {

    @State(Scope.Benchmark)
    public static class Model {
        @Param({"shapes", "nemo", "moving-gif", "vox"})
        public String config;

        /** Frames per batch as {@code config=frames} pairs, the syntax of {@link ModelBench.Model#batch}. */
        @Param({"32"})
        public String batch;

        /** STRICT: cuDNN with FMA math only (the verification mode); FAST: TF32 tensor cores allowed. */
        @Param({"STRICT", "FAST"})
        public String precision;

        MotionModel model;
        PreparedSource prepared;
        Animation animation;
        Tensor frame;
        Tensor frames;
        int batchFrames;
        Work streamCopies;
        Work batchCopies;

        @Setup(Level.Trial)
        public void setup() {
            GpuSession.requireCuda();
            ModelConfig c = ModelConfig.published(config);
            int size = c.defaultSize();
            int n = ModelBench.batchFrames(batch, config);
            model = MotionModel.create(c, Weights.prng(7), MotionModel.Options.defaults().withBackend(Backend.CUDA)
                    .withPrecision(Precision.valueOf(precision)));
            if (model.backend() != Backend.CUDA) {
                throw new IllegalStateException("asked for the CUDA backend, got " + model.backend());
            }
            prepared = model.prepare(Inputs.uniform(20, 0f, 1f, 1, 3, 1, size, size));
            animation = prepared.animate(ModelConfig.Normalization.RELATIVE);
            frame = Inputs.uniform(21, 0f, 1f, 1, 3, 1, size, size);
            frames = Inputs.uniform(22, 0f, 1f, 1, 3, n, size, size);
            // The first call fixes the animation's reference frame (and builds per-shape plans): outside the measurement.
            Tensor first = animation.next(frame);
            ModelBench.requireFinite(first);
            ModelBench.requireFinite(animation.next(frames));
            batchFrames = n;
            streamCopies = Work.of(Work.F * ((long) frame.numel() + first.numel()), 0);
            batchCopies = Work.of(Work.F * 2L * frames.numel(), 0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (prepared != null) {
                prepared.close();
            }
            if (model != null) {
                model.close();
            }
        }
    }

    @Benchmark
    public Tensor stream(Model m, FrameCounter f, Counters c) {
        f.frames += 1;
        c.add(m.streamCopies);
        return m.animation.next(m.frame);
    }

    @Benchmark
    public Tensor batch(Model m, FrameCounter f, Counters c) {
        f.frames += m.batchFrames;
        c.add(m.batchCopies);
        return m.animation.next(m.frames);
    }
}
