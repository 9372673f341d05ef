package io.motionkernels.monkeynet;

import io.motionkernels.model.ModelConfig;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.Executor;
import io.motionkernels.engine.Graph;
import io.motionkernels.engine.MemoryPlanner;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Monkey-Net's forward on one device: the graphs of {@link MonkeyNetGraph}, planned once per
 * (phase, size) by an {@link Executor} (after the first call of a size, a call allocates no
 * activations; with replay on, its node list is captured and replayed), with a prepared
 * source's features kept on the device by {@link #prepare}. The same code runs on the CPU and on
 * the GPU. Calls are serialised on this object (one stream per model).
 */
public final class MonkeyNetEngine implements AutoCloseable {
    /** The generator's outputs; maskEmbedding only when intermediates were asked for. */
    public record Output(Tensor videoPrediction, Tensor videoDeformed, Tensor deformation, Tensor maskEmbedding) {
    }

    private record PlanKey(String phase, int batch, int frames, int height, int width, boolean intermediates) {
    }

    private final ModelConfig config;
    private final MonkeyNetGraph graphs;
    private final Executor executor;
    private final List<Source> sources = new ArrayList<>();
    private final int channels;
    private final int numKp;
    private boolean closed;

    private MonkeyNetEngine(MonkeyNetParams params, Executor executor) {
        this.config = params.config();
        this.graphs = new MonkeyNetGraph(params);
        this.executor = executor;
        this.channels = config.common().numChannels();
        this.numKp = config.common().numKp();
    }

    /** Resolves the weights and takes ownership of {@code device} (closed also when this throws). */
    public static MonkeyNetEngine create(ModelConfig config, Weights weights, Device device, Executor.Options options) {
        try {
            return create(MonkeyNetParams.of(config, weights), device, options);
        } catch (RuntimeException | Error e) {
            try {
                device.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** An engine for parameters already resolved; takes ownership of {@code device}. */
    public static MonkeyNetEngine create(MonkeyNetParams params, Device device, Executor.Options options) {
        return new MonkeyNetEngine(params, new Executor(device, options));
    }

    public ModelConfig config() {
        return config;
    }

    /** A prepared source: its skips, scaled copies and keypoints on the device. Close to free them. */
    public final class Source implements AutoCloseable {
        private final int batch;
        private final int height;
        private final int width;
        private final Keypoints keypoints;
        private final Map<String, Device.Buffer> kept;
        /** (external value of the generate graph, kept value) pairs. */
        private final List<String[]> bindings;
        private boolean closedSource;

        private Source(int batch, int height, int width, Keypoints keypoints, Map<String, Device.Buffer> kept,
                       MonkeyNetGraph.SourceLayout layout) {
            this.batch = batch;
            this.height = height;
            this.width = width;
            this.keypoints = keypoints;
            this.kept = kept;
            this.bindings = layout.bindings();
        }

        public Keypoints keypoints() {
            return keypoints;
        }

        @Override
        public void close() {
            synchronized (MonkeyNetEngine.this) {
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

    private Executor.Plan plan(PlanKey key, java.util.function.Supplier<Graph> graph) {
        return executor.plan(key, graph);
    }

    /** Keypoints of every frame of a video (B, C, D, H, W). */
    public synchronized Keypoints detect(Tensor video) {
        return detectPlan(video, false).keypoints();
    }

    /** The keypoint detector's hourglass output before the softmax (B*D frames, K, h, w), with the keypoints. */
    public synchronized Tensor heatmapLogits(Tensor video) {
        return detectPlan(video, true).logits();
    }

    private record Detected(Keypoints keypoints, Tensor logits) {
    }

    private Detected detectPlan(Tensor video, boolean intermediates) {
        ensureOpen();
        int b = video.dim(0), d = video.dim(2), h = video.dim(3), w = video.dim(4);
        int n = b * d;
        Executor.Plan p = plan(new PlanKey("detect", b, d, h, w, intermediates), () -> graphs.detect(n, h, w, intermediates));
        p.upload(MonkeyNetGraph.FRAMES, framesMajor(video));
        p.run(intermediates ? null : "detect");
        Tensor mean = Tensor.zeros(b, d, numKp, 2);
        p.download(MonkeyNetGraph.KP_MEAN, mean.data());
        Tensor var = null;
        int vs = graphs.varSize();
        if (vs > 0) {
            var = vs == 4 ? Tensor.zeros(b, d, numKp, 2, 2) : Tensor.zeros(b, d, numKp, 1, 1);
            p.download(MonkeyNetGraph.KP_VAR, var.data());
        }
        Tensor logits = null;
        if (intermediates) {
            float[] l = new float[Math.toIntExact(p.floats(MonkeyNetGraph.HEATMAP_LOGITS))];
            p.download(MonkeyNetGraph.HEATMAP_LOGITS, l);
            int plane = l.length / (n * numKp);
            int lh = (int) Math.round(Math.sqrt(plane * (double) h / w));
            logits = channelsMajor(l, b, d, numKp, lh, plane / lh);
        }
        return new Detected(new Keypoints(mean, var), logits);
    }

    /** Detects the source's keypoints and runs the appearance encoder once; source (B, C, 1, H, W). */
    public Source prepare(Tensor source) {
        return prepare(source, null);
    }

    /** Like {@link #prepare(Tensor)} with the source's keypoints given (null: detect them). */
    public synchronized Source prepare(Tensor source, Keypoints keypoints) {
        ensureOpen();
        if (source.rank() != 5 || source.dim(2) != 1) {
            throw new IllegalArgumentException("source must be (B, C, 1, H, W), got " + source.shapeString());
        }
        Keypoints kp = keypoints == null ? detect(source) : keypoints;
        int b = source.dim(0), h = source.dim(3), w = source.dim(4);
        Executor.Plan p = plan(new PlanKey("prepare", b, 1, h, w, false), () -> graphs.prepare(b, h, w));
        p.upload(MonkeyNetGraph.SOURCE, source.data()); // one frame: frames-major is PyTorch's layout
        p.upload(MonkeyNetGraph.SOURCE_MEAN, kp.mean().data());
        if (graphs.varSize() > 0) {
            p.upload(MonkeyNetGraph.SOURCE_VAR, kp.var().data());
        }
        Map<String, Device.Buffer> kept = p.run(null);
        Source s = new Source(b, h, w, kp, kept, graphs.sourceLayout(p.graph()));
        sources.add(s);
        return s;
    }

    /** The generator for driving keypoints that are already normalised (B, D frames). */
    public synchronized Output generate(Source s, Keypoints driving) {
        return generate(s, driving, false);
    }

    /** The generator's video_prediction alone (B, C, D, H, W): what animating needs, one download. */
    public synchronized Tensor predict(Source s, Keypoints driving) {
        Executor.Plan p = runGenerator(s, driving, false);
        Tensor prediction = Tensor.zeros(s.batch, channels, driving.frames(), s.height, s.width);
        p.download(MonkeyNetGraph.VIDEO_PREDICTION, prediction.data());
        return prediction;
    }

    private Executor.Plan runGenerator(Source s, Keypoints driving, boolean intermediates) {
        ensureOpen();
        if (s.closedSource || !sources.contains(s)) {
            throw new IllegalStateException("the prepared source is closed or belongs to another model");
        }
        int b = driving.batch(), d = driving.frames();
        if (b != s.batch) {
            throw new IllegalArgumentException("driving keypoints have batch " + b + ", the source " + s.batch);
        }
        int h = s.height, w = s.width;
        Executor.Plan p = plan(new PlanKey("generate", b, d, h, w, intermediates),
                () -> graphs.generate(b, d, h, w, intermediates));
        for (String[] bind : s.bindings) {
            p.bind(bind[0], s.kept.get(bind[1]).view());
        }
        p.upload(MonkeyNetGraph.DRIVING_MEAN, driving.mean().data());
        if (graphs.varSize() > 0) {
            p.upload(MonkeyNetGraph.DRIVING_VAR, driving.var().data());
        }
        p.run(intermediates ? null : s);
        return p;
    }

    /** Like {@link #generate(Source, Keypoints)}; with intermediates also the mask embedding (slower: no replay). */
    public synchronized Output generate(Source s, Keypoints driving, boolean intermediates) {
        Executor.Plan p = runGenerator(s, driving, intermediates);
        int b = s.batch, d = driving.frames(), h = s.height, w = s.width;
        Tensor prediction = Tensor.zeros(b, channels, d, h, w);
        Tensor deformed = Tensor.zeros(b, channels, d, h, w);
        float[] def = new float[Math.toIntExact(p.floats(MonkeyNetGraph.DEFORMATION))];
        p.download(MonkeyNetGraph.VIDEO_PREDICTION, prediction.data());
        p.download(MonkeyNetGraph.VIDEO_DEFORMED, deformed.data());
        p.download(MonkeyNetGraph.DEFORMATION, def);
        int hd = (int) Math.round(Math.sqrt(def.length / (3.0 * b * d) * h / w));
        int wd = def.length / (3 * b * d * hd);
        Tensor embedding = null;
        if (intermediates && p.graph().has(MonkeyNetGraph.MASK_EMBEDDING)) {
            float[] e = new float[Math.toIntExact(p.floats(MonkeyNetGraph.MASK_EMBEDDING))];
            p.download(MonkeyNetGraph.MASK_EMBEDDING, e);
            int slots = config.generator().denseMotion().maskEmbedding().outChannels(numKp, channels);
            int plane = e.length / (b * d * slots);
            int eh = (int) Math.round(Math.sqrt(plane * (double) h / w));
            embedding = channelsMajor(e, b, d, slots, eh, plane / eh);
        }
        return new Output(prediction, deformed, Tensor.of(def, b, d, hd, wd, 3), embedding);
    }

    /** The memory plans made so far, by phase and size (for reports). */
    synchronized Map<String, MemoryPlanner.Plan> plans() {
        Map<String, MemoryPlanner.Plan> m = new LinkedHashMap<>();
        executor.keyedPlans().forEach((key, v) -> {
            PlanKey k = (PlanKey) key;
            m.put(k.phase() + " " + k.batch() + "x" + k.frames() + "x" + k.height() + "x" + k.width()
                    + (k.intermediates() ? " (intermediates)" : ""), v.layout());
        });
        return m;
    }

    /** (B, C, D, H, W) -> (B, D, C, H, W): the frames become the convolutions' batch. */
    static float[] framesMajor(Tensor video) {
        int b = video.dim(0), c = video.dim(1), d = video.dim(2);
        int plane = video.dim(3) * video.dim(4);
        float[] in = video.data();
        if (d == 1) {
            return in;
        }
        float[] out = new float[in.length];
        for (int bi = 0; bi < b; bi++) {
            for (int ci = 0; ci < c; ci++) {
                for (int di = 0; di < d; di++) {
                    System.arraycopy(in, ((bi * c + ci) * d + di) * plane, out, ((bi * d + di) * c + ci) * plane, plane);
                }
            }
        }
        return out;
    }

    /** Frames-major (B, D, C, h, w) -> PyTorch's (B, C, D, h, w). */
    static Tensor channelsMajor(float[] in, int b, int d, int c, int h, int w) {
        int plane = h * w;
        float[] out = new float[in.length];
        for (int bi = 0; bi < b; bi++) {
            for (int di = 0; di < d; di++) {
                for (int ci = 0; ci < c; ci++) {
                    System.arraycopy(in, ((bi * d + di) * c + ci) * plane, out, ((bi * c + ci) * d + di) * plane, plane);
                }
            }
        }
        return Tensor.of(out, b, c, d, h, w);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this model is closed");
        }
    }

    /** Frees sources, plans, weights, then the device. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            for (Source s : new ArrayList<>(sources)) {
                s.close();
            }
        } finally {
            closed = true;
            executor.close();
        }
    }
}
