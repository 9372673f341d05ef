package io.motionkernels;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.model.MonkeyNet;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;

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
    private volatile boolean closed;

    private MotionModel(MonkeyNet net, Backend backend) {
        this.net = net;
        this.backend = backend;
    }

    /** Loads a configuration YAML and a checkpoint (legacy or zip torch.save, or safetensors). */
    public static MotionModel load(Path config, Path checkpoint, Backend backend) {
        ModelConfig c = ModelConfig.load(config);
        return create(c, WeightFiles.load(checkpoint), backend);
    }

    /** Builds a model from a configuration and weights (a checkpoint's, or {@link Weights#prng}). */
    public static MotionModel create(ModelConfig config, Weights weights, Backend backend) {
        Backend resolved = Backends.resolve(backend);
        return new MotionModel(MonkeyNet.build(config, weights), resolved);
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
        return net.kpDetector().detect(video);
    }

    /** Computes what does not depend on the driving frames: the source's keypoints and encoder features. */
    public PreparedSource prepare(Tensor source) {
        ensureOpen();
        Inputs.checkVideo(net.config(), "source", source);
        if (source.dim(2) != 1) {
            throw new MotionKernelsException("the source must be one frame (1, C, 1, H, W), got " + source.shapeString());
        }
        Inputs.checkGeneratorSize(net.config(), source);
        return new PreparedSource(this, source, net.kpDetector().detect(source), net.generator().encode(source));
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this MotionModel is closed");
        }
    }

    /** Releases backend resources (none on the CPU). Idempotent. */
    @Override
    public void close() {
        closed = true;
    }
}
