package io.motionkernels;

import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.Executor;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.monkeynet.MonkeyNetEngine;
import io.motionkernels.monkeynet.MonkeyNetParams;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;

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

    private MotionModel(MonkeyNetEngine engine, Backend backend) {
        this.engine = engine;
        this.backend = backend;
    }

    /**
     * How a model runs: the backend (AUTO by default: CUDA where usable and verified, else the
     * CPU), the GPU's precision (ignored on the CPU) and which GPU.
     */
    public record Options(Backend backend, Precision precision, int cudaDevice) {
        public Options {
            if (backend == null || precision == null) {
                throw new MotionKernelsException("a model's options need a backend and a precision");
            }
            if (cudaDevice < 0) {
                throw new MotionKernelsException("the CUDA device number must be 0 or more, got " + cudaDevice);
            }
        }

        /** AUTO backend, STRICT precision, the first GPU. */
        public static Options defaults() {
            return new Options(Backend.AUTO, Precision.STRICT, 0);
        }

        public Options withBackend(Backend b) {
            return new Options(b, precision, cudaDevice);
        }

        public Options withPrecision(Precision p) {
            return new Options(backend, p, cudaDevice);
        }

        public Options withCudaDevice(int ordinal) {
            return new Options(backend, precision, ordinal);
        }
    }

    /** Loads a configuration YAML and a checkpoint (legacy or zip torch.save, or safetensors). */
    public static MotionModel load(Path config, Path checkpoint, Options options) {
        ModelConfig c = ModelConfig.load(config);
        return create(c, Checkpoints.load(checkpoint), options);
    }

    /** {@link #load(Path, Path, Options)} on {@code backend} with the other options at their defaults. */
    public static MotionModel load(Path config, Path checkpoint, Backend backend) {
        return load(config, checkpoint, Options.defaults().withBackend(backend));
    }

    /**
     * The demo model bundled in the jar (Monkey-Net's shapes configuration with trained weights,
     * 64x64, one coloured shape per frame: animate it with absolute keypoints).
     */
    public static MotionModel demo(Options options) {
        return create(ModelConfig.published(DemoModel.CONFIG), DemoModel.weights(), options);
    }

    /** Builds a model from a configuration and weights (a checkpoint's, or {@link Weights#prng}). */
    public static MotionModel create(ModelConfig config, Weights weights, Backend backend) {
        return create(config, weights, Options.defaults().withBackend(backend));
    }

    /** Builds a model from a configuration and weights with {@code options}. */
    public static MotionModel create(ModelConfig config, Weights weights, Options options) {
        Backend resolved = Backends.resolve(options.backend());
        MonkeyNetParams params = MonkeyNetParams.of(config, weights);
        // -Dmotionkernels.debug=true: stop at the first layer that produces a NaN or an infinity
        Executor.Options run = Boolean.getBoolean("motionkernels.debug")
                ? new Executor.Options(false, false, true) : Executor.Options.DEFAULT;
        if (resolved != Backend.CUDA) {
            return new MotionModel(MonkeyNetEngine.create(params, new CpuDevice(), run), Backend.CPU);
        }
        try {
            Device gpu = Backends.openCuda(options.precision(), options.cudaDevice());
            return new MotionModel(MonkeyNetEngine.create(params, gpu, run), Backend.CUDA);
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("the model could not be set up on GPU " + options.cudaDevice() + ": "
                    + e.getMessage(), e);
        }
    }

    public ModelConfig config() {
        return engine.config();
    }

    /** The backend this model runs on (never AUTO). */
    public Backend backend() {
        return backend;
    }

    /** The engine this model runs on. */
    MonkeyNetEngine engine() {
        ensureOpen();
        return engine;
    }

    /** Keypoints of every frame of a video (B, C, D, H, W). */
    public Keypoints detectKeypoints(Tensor video) {
        ensureOpen();
        Inputs.checkVideo(engine.config(), "video", video);
        return engine.detect(video);
    }

    /** Computes what does not depend on the driving frames: the source's keypoints and encoder features. */
    public PreparedSource prepare(Tensor source) {
        ensureOpen();
        Inputs.checkVideo(engine.config(), "source", source);
        io.motionkernels.tensor.Finite.requireInput("source image:", source);
        Inputs.checkRange("the source image's values", source);
        if (source.dim(2) != 1) {
            throw new MotionKernelsException("the source must be one frame (1, C, 1, H, W), got " + source.shapeString());
        }
        Inputs.checkGeneratorSize(engine.config(), source);
        return new PreparedSource(this, source, engine.prepare(source));
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
    }
}
