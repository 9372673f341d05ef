package io.motionkernels.fomm;

import io.motionkernels.model.FommConfig;
import io.motionkernels.model.FommKeypoints;
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
    private record PlanKey(String phase, int batch, int frames, int height, int width, boolean intermediates) {
    }

    private final FommConfig config;
    private final FommGraph graphs;
    private final Executor executor;
    private final java.util.List<Source> sources = new java.util.ArrayList<>();
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
        return executor.plan(key, graph);
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
        Executor.Plan p = plan(new PlanKey("detect", n, 1, h, w, intermediates), () -> graphs.detect(n, h, w, intermediates));
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

    /** A prepared source: the generator's encoded features and antialiased copy of B images, on the device. */
    public final class Source implements AutoCloseable {
        private final int batch;
        private final int height;
        private final int width;
        private final Map<String, Device.Buffer> kept;
        private boolean closedSource;

        private Source(int batch, int height, int width, Map<String, Device.Buffer> kept) {
            this.batch = batch;
            this.height = height;
            this.width = width;
            this.kept = kept;
        }

        public int batch() {
            return batch;
        }

        @Override
        public void close() {
            synchronized (FommEngine.this) {
                if (closedSource) {
                    return;
                }
                closedSource = true;
                sources.remove(this);
                executor.forget(this);
                kept.values().forEach(Device.Buffer::close);
                kept.clear();
            }
        }
    }

    /** Runs the source-only part of the generator (encoder, antialias) once for B images (B, C, H, W). */
    public synchronized Source prepare(Tensor source) {
        ensureOpen();
        checkImages("source", source);
        int b = source.dim(0), h = source.dim(2), w = source.dim(3);
        Executor.Plan p = plan(new PlanKey("prepare", b, 1, h, w, false), () -> graphs.prepare(b, h, w));
        p.upload(FommGraph.SOURCE, source.data());
        Source s = new Source(b, h, w, p.run(null));
        sources.add(s);
        return s;
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
        try (Source s = prepare(source)) {
            return generate(s, kpSource, kpDriving, intermediates);
        }
    }

    /**
     * The generator for n = B d frames of a prepared source of B images: keypoints of batch n,
     * frame-major (the d frames of source 0 first; the source keypoints repeated for each of its
     * frames). The prediction is (n, C, H, W); intermediates need d = 1.
     */
    public synchronized Map<String, Tensor> generate(Source s, FommKeypoints kpSource, FommKeypoints kpDriving,
                                                     boolean intermediates) {
        ensureOpen();
        if (s.closedSource || !sources.contains(s)) {
            throw new IllegalStateException("the prepared source is closed or belongs to another model");
        }
        int n = kpDriving.batch();
        if (n % s.batch != 0 || n == 0) {
            throw new IllegalArgumentException(n + " driving keypoints for " + s.batch + " sources");
        }
        int d = n / s.batch, h = s.height, w = s.width;
        for (FommKeypoints kp : new FommKeypoints[] {kpSource, kpDriving}) {
            if (kp.batch() != n || kp.count() != numKp) {
                throw new IllegalArgumentException("keypoints " + kp.value().shapeString() + " do not match " + n
                        + " frames of " + numKp + " keypoints");
            }
            if (config.estimateJacobian() && kp.jacobian() == null) {
                throw new IllegalArgumentException("this configuration estimates jacobians, but keypoints without were given");
            }
        }
        Executor.Plan p = plan(new PlanKey("generate", s.batch, d, h, w, intermediates), () -> graphs.generate(s.batch, d, h, w, intermediates));
        for (String[] bind : graphs.sourceLayout().bindings(intermediates)) {
            p.bind(bind[0], s.kept.get(bind[1]).view());
        }
        p.upload(FommGraph.SOURCE_VALUE, kpSource.value().data());
        p.upload(FommGraph.DRIVING_VALUE, kpDriving.value().data());
        if (config.estimateJacobian()) {
            p.upload(FommGraph.SOURCE_JACOBIAN, kpSource.jacobian().data());
            p.upload(FommGraph.DRIVING_JACOBIAN, kpDriving.jacobian().data());
        }
        p.run(intermediates ? null : s);
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

    /** Frees prepared sources, plans and weights, then the device. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            for (Source src : new java.util.ArrayList<>(sources)) {
                src.close();
            }
        } finally {
            closed = true;
            executor.close();
        }
    }
}
