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

    /** Loads a configuration YAML and a checkpoint (legacy or zip torch.save, or safetensors). */
    public static MotionModel load(Path config, Path checkpoint, Backend backend) {
        return load(config, checkpoint, backend, Precision.STRICT);
    }

    /** Like {@link #load(Path, Path, Backend)}, with the GPU's precision (ignored on the CPU). */
    public static MotionModel load(Path config, Path checkpoint, Backend backend, Precision precision) {
        ModelConfig c = ModelConfig.load(config);
        return create(c, Checkpoints.load(checkpoint), backend, precision);
    }

    /** Builds a model from a configuration and weights (a checkpoint's, or {@link Weights#prng}). */
    public static MotionModel create(ModelConfig config, Weights weights, Backend backend) {
        return create(config, weights, backend, Precision.STRICT);
    }

    /**
     * Like {@link #create(ModelConfig, Weights, Backend)}, with the GPU's precision (ignored on the
     * CPU).
     */
    public static MotionModel create(ModelConfig config, Weights weights, Backend backend, Precision precision) {
        Backend resolved = Backends.resolve(backend);
        // -Dmotionkernels.debug=true: stop at the first layer that produces a NaN or an infinity
        Executor.Options options = Boolean.getBoolean("motionkernels.debug")
                ? new Executor.Options(false, false, true) : Executor.Options.DEFAULT;
        MonkeyNetParams params = MonkeyNetParams.of(config, weights);
        if (resolved != Backend.CUDA) {
            return new MotionModel(MonkeyNetEngine.create(params, new CpuDevice(), options), Backend.CPU);
        }
        try {
            Device gpu = Backends.openCuda(precision);
            return new MotionModel(MonkeyNetEngine.create(params, gpu, options), Backend.CUDA);
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("the model could not be set up on the GPU: " + e.getMessage(), e);
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
