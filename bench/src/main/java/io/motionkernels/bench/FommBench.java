package io.motionkernels.bench;

import io.motionkernels.Backend;
import io.motionkernels.FommModel;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.FommConfig;
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
 * First Order Motion Model frames per second on the CPU backend (prng weights): a transfer whose
 * source and initial frame are done outside the measurement, then per driving frame the detector,
 * normalize_kp (relative movement and jacobians) and the generator, as FOMM's demo runs it; one
 * frame per call ({@code stream}) or a batch. bench/pytorch/bench_fomm.py times FOMM's own code the same way.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx8g"})
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 10)
public class FommBench {

    @State(Scope.Benchmark)
    public static class Model {
        @Param({"vox-256"})
        public String config;

        /** Frames per batch (a batch of vox-256 frames costs about 55 GMAC each). */
        @Param({"4"})
        public int batch;

        FommModel model;
        FommModel.Transfer transfer;
        Tensor frame;
        Tensor frames;

        @Setup(Level.Trial)
        public void setup() {
            FommConfig c = FommConfig.published(config);
            int size = c.defaultSize();
            model = FommModel.create(c, Weights.prng(7), Backend.CPU);
            transfer = model.transfer(Inputs.uniform(20, 0f, 1f, 1, 3, size, size),
                    new FommConfig.Normalization(false, true, true));
            frame = Inputs.uniform(21, 0f, 1f, 1, 3, 1, size, size);
            frames = Inputs.uniform(22, 0f, 1f, 1, 3, batch, size, size);
            // the first call fixes the initial frame: outside the measurement
            ModelBench.requireFinite(transfer.next(frame));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            model.close();
        }
    }

    @Benchmark
    public Tensor stream(Model m, FrameCounter c) {
        c.frames += 1;
        return m.transfer.next(m.frame);
    }

    @Benchmark
    public Tensor batch(Model m, FrameCounter c) {
        c.frames += m.batch;
        return m.transfer.next(m.frames);
    }
}
