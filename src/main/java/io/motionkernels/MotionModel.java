package io.motionkernels;

import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.engine.Device;
import io.motionkernels.cpu.Parallel;
import io.motionkernels.engine.Executor;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.monkeynet.MonkeyNetEngine;
import io.motionkernels.monkeynet.MonkeyNetParams;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A loaded Monkey-Net: load once, {@link #prepare} a source image once, then animate any number of
 * driving frames. Immutable after loading and safe to use from several threads (calls are
 * serialised: the engine runs each one on all cores, or on the GPU's one stream).
 *
 * <pre>{@code
 * try (MotionModel model = MotionModel.load(Path.of("shapes.yaml"), Path.of("shapes.safetensors"), Backend.CPU);
 *      PreparedSource source = model.prepare(sourceImage)) {          // (1, 3, 1, H, W) in [0, 1]
 *     Animation animation = source.animate(model.config().normalization());
 *     Tensor frames = animation.next(drivingFrames);                     // (1, 3, D, H, W) in [0, 1]
 * }
 * }</pre>
 */
public final class MotionModel implements AutoCloseable {
    private final MonkeyNetEngine engine;
    private final Backend backend;
    private volatile boolean closed;

    /** The model's own CPU threads (Options#withThreads), or null for the JVM's default team. */
    private final Parallel.Team pool;

    private MotionModel(MonkeyNetEngine engine, Backend backend, Parallel.Team pool) {
        this.engine = engine;
        this.backend = backend;
        this.pool = pool;
    }

    /** Runs a call of the engine on this model's threads. */
    <T> T onThreads(Supplier<T> call) {
        return ModelPool.call(pool, call);
    }

    /**
     * How a model runs: the backend (AUTO by default: CUDA where usable and verified, else the
     * CPU), the GPU's precision (ignored on the CPU) and which GPU.
     */
    public record Options(Backend backend, Precision precision, int cudaDevice, int threads) {
        /**
         * Checks the options.
         *
         * @param backend    where the model runs
         * @param precision  the GPU's arithmetic (ignored on the CPU)
         * @param cudaDevice the GPU's ordinal, 0 or more
         * @param threads    CPU threads of the model's own (the calling thread counts as one), or 0 to share
         *                   the JVM's default team of every core
         * @throws MotionKernelsException if {@code backend} or {@code precision} is null, or
         *         {@code cudaDevice} or {@code threads} is negative
         */
        public Options {
            if (threads < 0) {
                throw new MotionKernelsException("a model's thread count must be 0 (all cores) or more, got " + threads);
            }
            if (backend == null || precision == null) {
                throw new MotionKernelsException("a model's options need a backend and a precision");
            }
            if (cudaDevice < 0) {
                throw new MotionKernelsException("the CUDA device number must be 0 or more, got " + cudaDevice);
            }
        }

        /**
         * AUTO backend, STRICT precision, the first GPU, every core.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(Backend.AUTO, Precision.STRICT, 0, 0);
        }

        /**
         * {@return these options with {@code backend} replaced}
         *
         * @param b where the model runs
         */
        public Options withBackend(Backend b) {
            return new Options(b, precision, cudaDevice, threads);
        }

        /**
         * {@return these options with {@code precision} replaced}
         *
         * @param p the GPU's arithmetic (ignored on the CPU)
         */
        public Options withPrecision(Precision p) {
            return new Options(backend, p, cudaDevice, threads);
        }

        /**
         * {@return these options with {@code cudaDevice} replaced}
         *
         * @param ordinal the GPU's number, 0 or more (as {@code nvidia-smi} counts)
         */
        public Options withCudaDevice(int ordinal) {
            return new Options(backend, precision, ordinal, threads);
        }

        /**
         * These options with {@code threads} replaced: 0 (the default) shares the JVM's default team
         * of every core; n runs the model's work on n threads of its own (the calling thread and
         * n - 1 workers), for applications that run several models side by side. A second thread
         * calling a model while the model's team is busy runs its call on its own thread alone.
         * Idle workers poll for about 200 microseconds before they park ({@code
         * -Dmotionkernels.spinMicros=N} changes it; 0 parks at once).
         *
         * @param n CPU threads, 0 or more
         * @return the new options
         */
        public Options withThreads(int n) {
            return new Options(backend, precision, cudaDevice, n);
        }
    }

    /**
     * Loads a configuration YAML and a checkpoint (legacy or zip torch.save, or safetensors).
     *
     * @param config     the model's configuration YAML (Monkey-Net's layout)
     * @param checkpoint the trained weights
     * @param options    backend, precision and GPU
     * @return the model; the caller closes it
     * @throws io.motionkernels.model.ConfigException if the configuration is unreadable or invalid
     * @throws io.motionkernels.checkpoint.CheckpointException if the checkpoint is unreadable, damaged
     *         or does not fit the configuration
     * @throws BackendUnavailableException if CUDA was asked for by name and cannot run here
     */
    public static MotionModel load(Path config, Path checkpoint, Options options) {
        ModelConfig c = ModelConfig.load(config);
        return create(c, Checkpoints.load(checkpoint), options);
    }

    /**
     * {@link #load(Path, Path, Options)} on {@code backend} with the other options at their defaults.
     *
     * @param config     the model's configuration YAML (Monkey-Net's layout)
     * @param checkpoint the trained weights
     * @param backend    where the model runs
     * @return the model; the caller closes it
     * @throws MotionKernelsException as {@link #load(Path, Path, Options)} does
     */
    public static MotionModel load(Path config, Path checkpoint, Backend backend) {
        return load(config, checkpoint, Options.defaults().withBackend(backend));
    }

    /**
     * The demo model bundled in the jar (Monkey-Net's shapes configuration with trained weights,
     * 64x64, one coloured shape per frame: animate it with absolute keypoints).
     *
     * @param options backend, precision and GPU
     * @return the model; the caller closes it
     * @throws BackendUnavailableException if CUDA was asked for by name and cannot run here
     */
    public static MotionModel demo(Options options) {
        return create(ModelConfig.published(DemoModel.CONFIG), DemoModel.weights(), options);
    }

    /**
     * Builds a model from a configuration and weights (a checkpoint's, or {@link Weights#prng}).
     *
     * @param config  the model's configuration
     * @param weights the weights, named as the PyTorch module's state_dict names them
     * @param backend where the model runs
     * @return the model; the caller closes it
     * @throws io.motionkernels.checkpoint.CheckpointException if a weight is missing or of the wrong shape
     * @throws BackendUnavailableException if CUDA was asked for by name and cannot run here
     */
    public static MotionModel create(ModelConfig config, Weights weights, Backend backend) {
        return create(config, weights, Options.defaults().withBackend(backend));
    }

    /**
     * Builds a model from a configuration and weights with {@code options}.
     *
     * @param config  the model's configuration
     * @param weights the weights, named as the PyTorch module's state_dict names them
     * @param options backend, precision and GPU
     * @return the model; the caller closes it
     * @throws io.motionkernels.checkpoint.CheckpointException if a weight is missing or of the wrong shape
     * @throws BackendUnavailableException if CUDA was asked for by name and cannot run here
     */
    public static MotionModel create(ModelConfig config, Weights weights, Options options) {
        Backend resolved = Backends.resolve(options.backend());
        MonkeyNetParams params = MonkeyNetParams.of(config, weights);
        // -Dmotionkernels.debug=true: stop at the first layer that produces a NaN or an infinity
        Executor.Options run = Boolean.getBoolean("motionkernels.debug")
                ? new Executor.Options(false, false, true) : Executor.Options.DEFAULT;
        if (resolved != Backend.CUDA) {
            Parallel.Team pool = ModelPool.team(options.threads(), "motion-kernels-model");
            return new MotionModel(MonkeyNetEngine.create(params, new CpuDevice(), run), Backend.CPU, pool);
        }
        try {
            Device gpu = Backends.openCuda(options.precision(), options.cudaDevice());
            return new MotionModel(MonkeyNetEngine.create(params, gpu, run), Backend.CUDA, null);
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("the model could not be set up on GPU " + options.cudaDevice() + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@return the configuration the model was built from} */
    public ModelConfig config() {
        return engine.config();
    }

    /** {@return the backend this model runs on (never AUTO)} */
    public Backend backend() {
        return backend;
    }

    /** The engine this model runs on. */
    MonkeyNetEngine engine() {
        ensureOpen();
        return engine;
    }

    /**
     * Detects the keypoints of every frame of a video.
     *
     * @param video frames (1, C, D, H, W) in [0, 1], C and H x W as the configuration says
     * @return keypoints: means (1, D, K, 2) in [-1, 1], with variances when the model predicts them
     * @throws MotionKernelsException if the shape does not fit the configuration
     * @throws IllegalStateException if the model is closed
     */
    public Keypoints detectKeypoints(Tensor video) {
        ensureOpen();
        Inputs.checkVideo(engine.config(), "video", video);
        return onThreads(() -> engine.detect(video));
    }

    /**
     * Computes what does not depend on the driving frames: the source's keypoints and encoder features.
     *
     * @param source one frame (1, C, 1, H, W) with values in [0, 1], C and H x W as the configuration says
     * @return the prepared source; the caller closes it (closing the model ends it too)
     * @throws MotionKernelsException if the shape does not fit the configuration, or a value is not
     *         finite or outside [0, 1]
     * @throws IllegalStateException if the model is closed
     */
    public PreparedSource prepare(Tensor source) {
        ensureOpen();
        Inputs.checkVideo(engine.config(), "source", source);
        io.motionkernels.tensor.Finite.requireInput("source image:", source);
        Inputs.checkRange("the source image's values", source);
        if (source.dim(2) != 1) {
            throw new MotionKernelsException("the source must be one frame (1, C, 1, H, W), got " + source.shapeString());
        }
        Inputs.checkGeneratorSize(engine.config(), source);
        return new PreparedSource(this, source, onThreads(() -> engine.prepare(source)));
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this MotionModel is closed");
        }
    }

    /** Releases the engine's memory (heap arenas on the CPU; memory, graphs and stream on CUDA). Idempotent. */
    @Override
    public void close() {
        closed = true;
        engine.close();
        if (pool != null) {
            pool.close();
        }
    }
}
