package io.motionkernels;

import io.motionkernels.cuda.GpuModel;
import io.motionkernels.model.Generator;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.util.List;

/** A source image with its keypoints and encoder features computed once. Immutable, thread-safe. */
public final class PreparedSource implements AutoCloseable {
    private final MotionModel model;
    private final Tensor source;
    private final Keypoints keypoints;
    private final List<Tensor> skips;
    /** The skips and keypoints on the GPU (CUDA backend), else null. */
    private final GpuModel.Source gpuSource;
    private volatile boolean closed;

    PreparedSource(MotionModel model, Tensor source, Keypoints keypoints, List<Tensor> skips, GpuModel.Source gpuSource) {
        this.model = model;
        this.source = source;
        this.keypoints = keypoints;
        this.skips = List.copyOf(skips);
        this.gpuSource = gpuSource;
    }

    public Tensor source() {
        return source;
    }

    /** The source's keypoints (1, 1, K, …). */
    public Keypoints keypoints() {
        return keypoints;
    }

    /** Starts an animation whose driving keypoints are adapted with {@code normalization}. */
    public Animation animate(ModelConfig.Normalization normalization) {
        return new Animation(this, normalization);
    }

    /** Runs the generator for driving keypoints that are already normalised (D frames). */
    public Generator.Output generate(Keypoints driving) {
        ensureOpen();
        if (gpuSource != null) {
            return model.gpu().generate(gpuSource, driving);
        }
        return model.network().generator().forward(source, skips, driving, keypoints);
    }

    MotionModel model() {
        return model;
    }

    void ensureOpen() {
        model.ensureOpen();
        if (closed) {
            throw new IllegalStateException("this PreparedSource is closed");
        }
    }

    /** Frees the source's GPU memory (CUDA backend) and ends its animations. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (gpuSource != null) {
            gpuSource.close();
        }
    }
}
