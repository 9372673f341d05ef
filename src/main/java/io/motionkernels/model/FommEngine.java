package io.motionkernels.model;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.Executor;
import io.motionkernels.engine.Graph;
import io.motionkernels.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * First Order Motion Model's forward on one device (the counterpart of {@link MonkeyNetEngine}):
 * the graphs of {@link FommGraph}, planned once per (phase, size) by an {@link Executor} and run
 * on the CPU or the GPU alike. Calls are serialised on this object.
 */
public final class FommEngine implements AutoCloseable {
    private record PlanKey(String phase, int batch, int height, int width, boolean intermediates) {
    }

    private final FommConfig config;
    private final FommGraph graphs;
    private final Executor executor;
    private final Map<PlanKey, Executor.Plan> plans = new LinkedHashMap<>();
    private final int channels;
    private final int numKp;
    private boolean closed;

    private FommEngine(FommParams params, Executor executor) {
        this.config = params.config();
        this.graphs = new FommGraph(params);
        this.executor = executor;
        this.channels = config.numChannels();
        this.numKp = config.numKp();
    }

    /** Resolves the weights and takes ownership of {@code device} (closed also when this throws). */
    public static FommEngine create(FommConfig config, Weights weights, Device device, Executor.Options options) {
        try {
            return new FommEngine(FommParams.of(config, weights), new Executor(device, options));
        } catch (RuntimeException | Error e) {
            try {
                device.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public FommConfig config() {
        return config;
    }

    public Device device() {
        return executor.device();
    }

    private Executor.Plan plan(PlanKey key, Supplier<Graph> graph) {
        Executor.Plan p = plans.get(key);
        if (p == null) {
            p = executor.plan(graph.get());
            plans.put(key, p);
        }
        return p;
    }

    private void checkImages(String what, Tensor t) {
        if (t.rank() != 4 || t.dim(1) != channels) {
            throw new IllegalArgumentException(what + " must be (B, " + channels + ", H, W), got " + t.shapeString());
        }
    }

    /** Keypoints of a batch of images (B, C, H, W). */
    public synchronized FommKeypoints detect(Tensor images) {
        return detect(images, false).keypoints();
    }

    /** The detector's keypoints and, with intermediates, its heatmap logits (B, K, h', w'). */
    public record Detected(FommKeypoints keypoints, Tensor heatmapLogits) {
    }

    public synchronized Detected detect(Tensor images, boolean intermediates) {
        ensureOpen();
        checkImages("images", images);
        int n = images.dim(0), h = images.dim(2), w = images.dim(3);
        Executor.Plan p = plan(new PlanKey("detect", n, h, w, intermediates), () -> graphs.detect(n, h, w, intermediates));
        p.upload(FommGraph.IMAGE, images.data());
        p.run(intermediates ? null : "detect");
        Tensor value = Tensor.zeros(n, numKp, 2);
        p.download(FommGraph.VALUE, value.data());
        Tensor jac = null;
        if (config.estimateJacobian()) {
            jac = Tensor.zeros(n, numKp, 2, 2);
            p.download(FommGraph.JACOBIAN, jac.data());
        }
        Tensor logits = null;
        if (intermediates) {
            int[] hs = graphs.heatmapSize(h, w);
            logits = Tensor.zeros(n, numKp, hs[0], hs[1]);
            p.download(FommGraph.HEATMAP_LOGITS, logits.data());
        }
        return new Detected(new FommKeypoints(value, jac), logits);
    }

    /** The generator's prediction (B, C, H, W) for B sources and their source and driving keypoints. */
    public synchronized Tensor generate(Tensor source, FommKeypoints kpSource, FommKeypoints kpDriving) {
        return generate(source, kpSource, kpDriving, false).get(FommGraph.PREDICTION);
    }

    /**
     * Like {@link #generate(Tensor, FommKeypoints, FommKeypoints)}; with intermediates the map also
     * holds {@link FommGraph#INTERMEDIATES} (in the reference cases' shapes).
     */
    public synchronized Map<String, Tensor> generate(Tensor source, FommKeypoints kpSource, FommKeypoints kpDriving,
                                                     boolean intermediates) {
        ensureOpen();
        checkImages("source", source);
        int n = source.dim(0), h = source.dim(2), w = source.dim(3);
        for (FommKeypoints kp : new FommKeypoints[] {kpSource, kpDriving}) {
            if (kp.batch() != n || kp.count() != numKp) {
                throw new IllegalArgumentException("keypoints " + kp.value().shapeString() + " do not match " + n
                        + " sources of " + numKp + " keypoints");
            }
            if (config.estimateJacobian() && kp.jacobian() == null) {
                throw new IllegalArgumentException("this configuration estimates jacobians, but keypoints without were given");
            }
        }
        Executor.Plan p = plan(new PlanKey("generate", n, h, w, intermediates),
                () -> graphs.generate(n, h, w, intermediates));
        p.upload(FommGraph.SOURCE, source.data());
        p.upload(FommGraph.SOURCE_VALUE, kpSource.value().data());
        p.upload(FommGraph.DRIVING_VALUE, kpDriving.value().data());
        if (config.estimateJacobian()) {
            p.upload(FommGraph.SOURCE_JACOBIAN, kpSource.jacobian().data());
            p.upload(FommGraph.DRIVING_JACOBIAN, kpDriving.jacobian().data());
        }
        p.run(intermediates ? null : "generate");
        Map<String, Tensor> out = new LinkedHashMap<>();
        Tensor prediction = Tensor.zeros(n, channels, h, w);
        p.download(FommGraph.PREDICTION, prediction.data());
        out.put(FommGraph.PREDICTION, prediction);
        if (intermediates) {
            for (String name : FommGraph.INTERMEDIATES) {
                if (p.graph().has(name)) {
                    float[] data = new float[Math.toIntExact(p.floats(name))];
                    p.download(name, data);
                    out.put(name, Tensor.of(data, graphs.intermediateShape(name, n, h, w)));
                }
            }
        }
        return out;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this model is closed");
        }
    }

    /** Frees plans and weights, then the device. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        plans.clear();
        executor.close();
    }
}
