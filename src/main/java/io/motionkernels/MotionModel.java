package io.motionkernels;

import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cuda.CudnnDevice;
import io.motionkernels.cuda.GpuModel;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.model.MonkeyNet;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded Monkey-Net: load once, {@link #prepare} a source image once, then animate any number of
 * driving frames. Immutable after loading and safe to use from several threads.
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
    private final MonkeyNet net;
    private final Backend backend;
    /** The whole-model forward on the GPU; null on the CPU backend. */
    private final GpuModel gpu;
    private volatile boolean closed;

    private MotionModel(MonkeyNet net, Backend backend, GpuModel gpu) {
        this.net = net;
        this.backend = backend;
        this.gpu = gpu;
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
        MonkeyNet net = MonkeyNet.build(config, weights);
        if (resolved != Backend.CUDA) {
            return new MotionModel(net, Backend.CPU, null);
        }
        try {
            GpuModel gpu = GpuModel.create(config, weights, CudnnDevice.open(0, precision), GpuModel.Options.DEFAULT);
            return new MotionModel(net, Backend.CUDA, gpu);
        } catch (RuntimeException | LinkageError e) {
            throw new MotionKernelsException("--backend cuda was asked for, but the model could not be set up on the GPU: "
                    + e.getMessage() + ". Use --backend cpu (or auto).", e);
        }
    }

    public ModelConfig config() {
        return net.config();
    }

    /** The backend this model runs on (never AUTO). */
    public Backend backend() {
        return backend;
    }

    /** The networks themselves, for callers that need intermediate results. */
    public MonkeyNet network() {
        ensureOpen();
        return net;
    }

    /** Keypoints of every frame of a video (B, C, D, H, W). */
    public Keypoints detectKeypoints(Tensor video) {
        ensureOpen();
        Inputs.checkVideo(net.config(), "video", video);
        return gpu != null ? gpu.detect(video) : net.kpDetector().detect(video);
    }

    /** Computes what does not depend on the driving frames: the source's keypoints and encoder features. */
    public PreparedSource prepare(Tensor source) {
        ensureOpen();
        Inputs.checkVideo(net.config(), "source", source);
        io.motionkernels.tensor.Finite.requireInput("source image:", source);
        if (source.dim(2) != 1) {
            throw new MotionKernelsException("the source must be one frame (1, C, 1, H, W), got " + source.shapeString());
        }
        Inputs.checkGeneratorSize(net.config(), source);
        if (gpu != null) {
            GpuModel.Source s = gpu.prepare(source);
            return new PreparedSource(this, source, s.keypoints(), List.of(), s);
        }
        return new PreparedSource(this, source, net.kpDetector().detect(source), net.generator().encode(source), null);
    }

    GpuModel gpu() {
        return gpu;
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this MotionModel is closed");
        }
    }

    /** Releases backend resources (none on the CPU; the GPU's memory, graphs and stream on CUDA). Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (gpu != null) {
            gpu.close();
        }
    }
}
