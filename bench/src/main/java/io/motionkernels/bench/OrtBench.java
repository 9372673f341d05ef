package io.motionkernels.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The ONNX Runtime baseline of {@link ModelBench}: the same work per call (a prepared source,
 * driving frames streamed one at a time or in batches of the same sizes, relative motion) through
 * ONNX Runtime's Java API, CPU execution provider, ORT_ENABLE_ALL, 2 intra-op threads (as ModelBench's
 * engine uses both cores), with and without the intra-op workers' spinning
 * ({@code session.intra_op.allow_spinning}: spinning is ORT's default and fastest on an idle
 * machine; off is what a careful user sets on a shared one).
 *
 * <p>The model is bench/onnx/export_monkeynet.py's export (bench/results/onnx/, not in git: the
 * export needs PyTorch). @Setup checks the files against their reference cases through ONNX Runtime
 * and refuses to time a model that misses them. Without the files the setup fails saying so;
 * bench/quick.sh (CI, no torch) leaves OrtBench out with a message. Weights: prng with the seed of
 * the configuration's reference cases (7 for shapes and nemo, as ModelBench; 204 moving-gif, 205
 * vox); speed does not depend on their values. The prediction is copied out to the Java heap on
 * every call, as ModelBench's engine returns a heap tensor.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class OrtBench {

    @State(Scope.Benchmark)
    public static class Model {
        @Param({"shapes", "nemo", "moving-gif", "vox"})
        public String config;

        /** Same syntax and default as ModelBench's batch parameter. */
        @Param({"shapes=32,nemo=32,moving-gif=8,vox=4"})
        public String batch;

        /** session.intra_op.allow_spinning: 1 (ORT's default) or 0. */
        @Param({"1", "0"})
        public String spinning;

        OrtModel model;
        OnnxTensor source;
        OnnxTensor frame;
        OnnxTensor frames;
        OrtSession.Result encoded;
        Map<String, OnnxTensor> streamInputs;
        Map<String, OnnxTensor> batchInputs;
        int batchFrames;

        @Setup(Level.Trial)
        public void setup() throws OrtException {
            model = new OrtModel(OrtModel.DEFAULT_DIR, config, 2, spinning.equals("1"));
            for (OrtModel.CaseResult r : model.check(OrtModel.DEFAULT_DIR)) {
                System.out.printf("%n  checked %s: relative L2 %.2e", r.path(), r.worst());
            }
            System.out.println();
            int size = model.size;
            int n = ModelBench.batchFrames(batch, config);
            // ModelBench's inputs (same seeds), in the frames-as-batch layout
            source = model.tensor(Inputs.uniform(20, 0f, 1f, 1, 3, 1, size, size).data(), 1, 3, size, size);
            Tensor f = Inputs.uniform(21, 0f, 1f, 1, 3, 1, size, size);
            frame = model.tensor(f.data(), 1, 3, size, size);
            Tensor fs = Inputs.uniform(22, 0f, 1f, 1, 3, n, size, size);
            frames = model.tensor(OrtModel.framesFirst(fs), OrtModel.framesFirstShape(fs));
            encoded = model.encode(source);
            // The first frame is the reference of the relative motion, as ModelBench's first call fixes it.
            try (OrtSession.Result reference = model.encode(frame)) {
                streamInputs = model.prepared(source, encoded, reference);
            }
            batchInputs = new HashMap<>(streamInputs);
            streamInputs.put("driving", frame);
            batchInputs.put("driving", frames);
            batchFrames = n;
            ModelBench.requireFinite(Tensor.of(run(streamInputs), 1, 3, size, size));
        }

        float[] run(Map<String, OnnxTensor> in) throws OrtException {
            try (OrtSession.Result r = model.frame.run(in, Set.of("prediction"))) {
                return OrtModel.floats(r.get("prediction").get());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws OrtException {
            streamInputs.get("kp_offset").close();
            encoded.close();
            frames.close();
            frame.close();
            source.close();
            model.close();
        }
    }

    @Benchmark
    public float[] stream(Model m, FrameCounter c) throws OrtException {
        c.frames += 1;
        return m.run(m.streamInputs);
    }

    @Benchmark
    public float[] batch(Model m, FrameCounter c) throws OrtException {
        c.frames += m.batchFrames;
        return m.run(m.batchInputs);
    }
}
