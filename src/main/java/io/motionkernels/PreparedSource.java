package io.motionkernels;

import io.motionkernels.model.ModelConfig;
import io.motionkernels.monkeynet.MonkeyNetEngine;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

/** A source image with its keypoints and encoder features computed once. Thread-safe. */
public final class PreparedSource implements AutoCloseable {
    private final MotionModel model;
    private final Tensor source;
    private final MonkeyNetEngine.Source prepared;
    private volatile boolean closed;

    PreparedSource(MotionModel model, Tensor source, MonkeyNetEngine.Source prepared) {
        this.model = model;
        this.source = source;
        this.prepared = prepared;
    }

    public Tensor source() {
        return source;
    }

    /** The source's keypoints (1, 1, K, …). */
    public Keypoints keypoints() {
        return prepared.keypoints();
    }

    /** Starts an animation whose driving keypoints are adapted with {@code normalization}. */
    public Animation animate(ModelConfig.Normalization normalization) {
        return new Animation(this, normalization);
    }

    /** The generator's video_prediction for driving keypoints that are already normalised (D frames). */
    public Tensor predict(Keypoints driving) {
        ensureOpen();
        return model.engine().predict(prepared, driving);
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

    /** Frees the source's features (heap or GPU memory) and ends its animations. Idempotent. */
    @Override
    public void close() {
        closed = true;
        prepared.close();
    }
}
