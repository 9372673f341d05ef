package io.motionkernels.bench;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;

/**
 * ModelBench's workload for the command-line tools (FrameCpuTime, NodeProfile): prng weights 7,
 * inputs 20/21/22, relative animation, the reference frame taken and the JIT warmed up before
 * the caller measures {@link #call}. Arguments: CONFIG FRAMES_PER_CALL CALLS [WARMUP_SECONDS].
 */
final class StreamWorkload implements AutoCloseable {
    final String config;
    final int framesPerCall;
    final int calls;
    private final MotionModel model;
    private final PreparedSource source;
    private final Animation animation;
    private final Tensor frames;

    private StreamWorkload(String config, int framesPerCall, int calls, int threads) {
        this.config = config;
        this.framesPerCall = framesPerCall;
        this.calls = calls;
        ModelConfig c = ModelConfig.published(config);
        int s = c.defaultSize();
        model = MotionModel.create(c, Weights.prng(7), MotionModel.Options.defaults().withBackend(Backend.CPU)
                .withThreads(threads));
        source = model.prepare(Inputs.uniform(20, 0f, 1f, 1, 3, 1, s, s));
        animation = source.animate(ModelConfig.Normalization.RELATIVE);
        ModelBench.requireFinite(animation.next(Inputs.uniform(21, 0f, 1f, 1, 3, 1, s, s)));
        frames = Inputs.uniform(22, 0f, 1f, 1, 3, framesPerCall, s, s);
    }

    /**
     * The workload the arguments name, warmed up for WARMUP_SECONDS (default {@code warmup}) on
     * {@code threads} threads of the model's own (0: the default team); null, after printing the
     * usage, when the arguments are wrong.
     */
    static StreamWorkload fromArgs(String tool, String example, String[] args, double warmup, int threads) {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: " + tool + " CONFIG FRAMES_PER_CALL CALLS [WARMUP_SECONDS] (e.g. " + example + ")");
            return null;
        }
        StreamWorkload w = new StreamWorkload(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), threads);
        double seconds = args.length == 4 ? Double.parseDouble(args[3]) : warmup;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            w.animation.next(w.frames);
        }
        return w;
    }

    /** One measured call: the next frames, checked finite. */
    void call() {
        ModelBench.requireFinite(animation.next(frames));
    }

    @Override
    public void close() {
        source.close();
        model.close();
    }
}
