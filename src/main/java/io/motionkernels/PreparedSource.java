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

    /** {@return the source frame (1, C, 1, H, W) this was prepared from} */
    public Tensor source() {
        return source;
    }

    /** {@return the source's keypoints: means (1, 1, K, 2) in [-1, 1], with variances when the model predicts them} */
    public Keypoints keypoints() {
        return prepared.keypoints();
    }

    /**
     * Starts an animation whose driving keypoints are adapted with {@code normalization}.
     *
     * @param normalization how driving keypoints are moved onto the source (usually
     *                      {@code model.config().normalization()})
     * @return a new animation; each driving video needs its own
     */
    public Animation animate(ModelConfig.Normalization normalization) {
        return new Animation(this, normalization);
    }

    /**
     * The generator's video_prediction for driving keypoints that are already normalised.
     *
     * @param driving keypoints (1, D, K, 2), K as the model's
     * @return the animated frames (1, C, D, H, W) in [0, 1]
     * @throws IllegalStateException if this source or the model is closed
     */
    public Tensor predict(Keypoints driving) {
        ensureOpen();
        return model.onThreads(() -> model.engine().predict(prepared, driving));
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
