package io.motionkernels.cuda;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.Generator;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The whole-model forward on a {@link GpuDevice}: the keypoint detector and the generator of
 * {@link GpuGraph}, with the source's skips and keypoints kept on the device by {@link #prepare}.
 *
 * <p>Memory: each (phase, batch, frames, height, width) gets a plan the first time it is seen: the
 * phase is traced ({@link Pass}), its buffers are placed in one arena by {@link MemoryPlanner}
 * (cuDNN workspaces included, sized by the algorithm actually chosen) and the arena is allocated
 * once; later calls of that size allocate nothing. With {@link Options#cudaGraphs}, the per-frame
 * work of a plan (and, for the generator, a prepared source) is captured once and replayed.
 * Calls are serialised on this object (one stream per model).
 */
public final class GpuModel implements AutoCloseable {
    /**
     * poison: fill every planned buffer with NaN when its lifetime starts and after its last use
     * (for tests: lifetime or aliasing mistakes then show as NaN); cudaGraphs: capture and replay
     * the per-frame work.
     */
    public record Options(boolean poison, boolean cudaGraphs) {
        public static final Options DEFAULT = new Options(false, false);
    }

    private record PlanKey(String phase, int batch, int frames, int height, int width) {
    }

    private record Planned(Pass.Layout layout, GpuDevice.Buffer arena) {
    }

    private record Captured(GpuDevice.Graph graph, Object outputs, int stepsAfter) {
    }

    private final ModelConfig config;
    private final GpuDevice device;
    private final GpuNet net;
    private final GpuGraph graph;
    private final Options options;
    private final Map<PlanKey, Planned> plans = new LinkedHashMap<>();
    private final Map<PlanKey, Captured> detectGraphs = new HashMap<>();
    private final List<Source> sources = new ArrayList<>();
    private boolean closed;

    private GpuModel(ModelConfig config, GpuDevice device, GpuNet net, Options options) {
        this.config = config;
        this.device = device;
        this.net = net;
        this.graph = new GpuGraph(net);
        this.options = options;
    }

    /** Uploads the weights; the model owns {@code device} from here on (also when this throws). */
    public static GpuModel create(ModelConfig config, Weights weights, GpuDevice device, Options options) {
        try {
            device.bindThread();
            return new GpuModel(config, device, new GpuNet(config, weights, device), options);
        } catch (RuntimeException | Error e) {
            try {
                device.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
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
        private final List<GpuDevice.Buffer> buffers = new ArrayList<>();
        private final Map<PlanKey, Captured> graphs = new HashMap<>();
        private GpuGraph.SourceViews views;
        private boolean closedSource;

        private Source(int batch, int height, int width, Keypoints keypoints) {
            this.batch = batch;
            this.height = height;
            this.width = width;
            this.keypoints = keypoints;
        }

        public Keypoints keypoints() {
            return keypoints;
        }

        @Override
        public void close() {
            synchronized (GpuModel.this) {
                if (closedSource) {
                    return;
                }
                closedSource = true;
                sources.remove(this);
                device.bindThread();
                graphs.values().forEach(c -> c.graph().close());
                graphs.clear();
                for (int i = buffers.size() - 1; i >= 0; i--) {
                    buffers.get(i).close();
                }
                buffers.clear();
            }
        }
    }

    /** Keypoints of every frame of a video (B, C, D, H, W). */
    public synchronized Keypoints detect(Tensor video) {
        ensureOpen();
        int b = video.dim(0), c = video.dim(1), d = video.dim(2), h = video.dim(3), w = video.dim(4);
        float[] frames = framesMajor(video);
        int n = b * d;
        int k = config.common().numKp();
        return execute(new PlanKey("detect", b, d, h, w), detectGraphs,
                p -> {
                    GpuView v = p.alloc("video", (long) n * c * h * w);
                    p.dev().upload(frames, v);
                    return v;
                },
                (p, v) -> graph.detect(p, v, n, h, w),
                (p, kp) -> {
                    Tensor mean = Tensor.zeros(b, d, k, 2);
                    p.dev().download(kp.mean(), mean.data());
                    Tensor var = null;
                    if (kp.var() != null) {
                        var = GpuGraph.varSize(config) == 4 ? Tensor.zeros(b, d, k, 2, 2) : Tensor.zeros(b, d, k, 1, 1);
                        p.dev().download(kp.var(), var.data());
                    }
                    return new Keypoints(mean, var);
                });
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
        Source s = new Source(b, h, w, kp);
        sources.add(s);
        try (Pass e = Pass.eager(device)) {
            GpuView src = e.alloc("source", source.numel());
            device.upload(source.data(), src); // one frame: frames-major is PyTorch's layout
            GpuView mean = e.alloc("source.kp.mean", kp.mean().numel());
            device.upload(kp.mean().data(), mean);
            GpuView var = null;
            if (kp.var() != null) {
                var = e.alloc("source.kp.var", kp.var().numel());
                device.upload(kp.var().data(), var);
            }
            GpuGraph.SourceViews v = graph.prepare(e, src, b, h, w, new GpuGraph.Kp(mean, var));
            Map<Object, Boolean> kept = new IdentityHashMap<>();
            List<GpuView> keep = new ArrayList<>();
            v.skips().forEach(f -> keep.add(f.v()));
            keep.add(mean);
            keep.add(var);
            keep.add(v.denseMotionSource() == null ? null : v.denseMotionSource().v());
            keep.add(v.kpEmbeddingSource() == null ? null : v.kpEmbeddingSource().v());
            for (GpuView view : keep) {
                if (view != null && kept.put(view.storage(), Boolean.TRUE) == null) {
                    s.buffers.add(e.keep(view));
                }
            }
            s.views = v;
            device.synchronize();
            return s;
        } catch (RuntimeException | Error ex) {
            s.close();
            throw ex;
        }
    }

    /** The generator for driving keypoints that are already normalised (B, D frames). */
    public synchronized Generator.Output generate(Source s, Keypoints driving) {
        ensureOpen();
        if (s.closedSource || !sources.contains(s)) {
            throw new IllegalStateException("the prepared source is closed or belongs to another model");
        }
        int b = driving.batch(), d = driving.frames();
        if (b != s.batch) {
            throw new IllegalArgumentException("driving keypoints have batch " + b + ", the source " + s.batch);
        }
        int c = config.common().numChannels();
        int h = s.height, w = s.width;
        return execute(new PlanKey("generate", b, d, h, w), s.graphs,
                p -> {
                    GpuView mean = p.alloc("kp_driving.mean", driving.mean().numel());
                    p.dev().upload(driving.mean().data(), mean);
                    GpuView var = null;
                    if (GpuGraph.varSize(config) > 0) {
                        var = p.alloc("kp_driving.var", driving.var().numel());
                        p.dev().upload(driving.var().data(), var);
                    }
                    return new GpuGraph.Kp(mean, var);
                },
                (p, kp) -> graph.generate(p, s.views, b, d, kp),
                (p, out) -> {
                    Tensor prediction = Tensor.zeros(b, c, d, h, w);
                    Tensor deformed = Tensor.zeros(b, c, d, h, w);
                    Tensor deformation = Tensor.zeros(b, d, out.hd(), out.wd(), 3);
                    p.dev().download(out.videoPrediction(), prediction.data());
                    p.dev().download(out.videoDeformed(), deformed.data());
                    p.dev().download(out.deformation(), deformation.data());
                    return new Generator.Output(prediction, deformed, deformation);
                });
    }

    /**
     * Runs one phase: upload inputs, compute, download. The first call of a size traces it and
     * allocates its arena; with graphs on, compute is captured once per key and replayed.
     */
    @SuppressWarnings("unchecked")
    private <I, O, R> R execute(PlanKey key, Map<PlanKey, Captured> graphs, Function<Pass, I> upload,
                                BiFunction<Pass, I, O> compute, BiFunction<Pass, O, R> download) {
        device.bindThread();
        Planned pl = plans.get(key);
        if (pl == null) {
            Pass t = Pass.trace(device);
            download.apply(t, compute.apply(t, upload.apply(t)));
            Pass.Layout layout = t.finishTrace();
            pl = new Planned(layout, device.allocate(layout.arenaFloats()));
            plans.put(key, pl);
        }
        Pass run = Pass.run(device, pl.layout(), pl.arena().view(), options.poison());
        I in = upload.apply(run);
        O out;
        if (!options.cudaGraphs()) {
            out = compute.apply(run, in);
        } else {
            Captured c = graphs.get(key);
            if (c == null) {
                Object[] result = new Object[1];
                GpuDevice.Graph g = run.dev().capture(() -> result[0] = compute.apply(run, in));
                c = new Captured(g, result[0], run.steps());
                graphs.put(key, c);
            } else {
                run.skipTo(c.stepsAfter());
            }
            c.graph().launch();
            out = (O) c.outputs();
        }
        return download.apply(run, out);
    }

    /** The memory plans made so far, by phase and size (for reports). */
    public synchronized Map<String, MemoryPlanner.Plan> plans() {
        Map<String, MemoryPlanner.Plan> m = new LinkedHashMap<>();
        plans.forEach((k, v) -> m.put(k.phase() + " " + k.batch() + "x" + k.frames() + "x" + k.height() + "x" + k.width(),
                v.layout().plan()));
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

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this GPU model is closed");
        }
    }

    /** Frees sources, graphs, arenas, weights, then the device. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        device.bindThread();
        try {
            for (Source s : new ArrayList<>(sources)) {
                s.close();
            }
            detectGraphs.values().forEach(c -> c.graph().close());
            detectGraphs.clear();
            plans.values().forEach(p -> p.arena().close());
            plans.clear();
            net.close();
        } finally {
            device.close();
        }
    }
}
