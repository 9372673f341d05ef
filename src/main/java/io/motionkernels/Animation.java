package io.motionkernels;

import io.motionkernels.model.KeypointNormalization;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

/**
 * One driving video animating a prepared source. Relative normalisations measure motion from the
 * first driving frame this animation sees, so frames must arrive in order: one at a time
 * (streaming) or many at a time; both give the same result.
 */
public final class Animation {
    private final PreparedSource source;
    private final ModelConfig.Normalization normalization;
    private Keypoints first;

    Animation(PreparedSource source, ModelConfig.Normalization normalization) {
        this.source = source;
        this.normalization = normalization;
    }

    /**
     * Animates the source with the next driving frames.
     *
     * @param driving the next driving frames (1, C, D, H, W) in [0, 1], the source's C, H and W
     * @return the animated frames (1, C, D, H, W) in [0, 1]
     * @throws MotionKernelsException if the shape does not fit the source or the model
     * @throws IllegalStateException if the source or the model is closed
     */
    public Tensor next(Tensor driving) {
        return nextWithKeypoints(driving).videoPrediction();
    }

    /**
     * Like {@link #next}, also returning the normalised keypoints used.
     *
     * @param driving the next driving frames (1, C, D, H, W) in [0, 1], the source's C, H and W
     * @return the animated frames and the driving keypoints they were made from
     * @throws MotionKernelsException if the shape does not fit the source or the model
     * @throws IllegalStateException if the source or the model is closed
     */
    public synchronized Frames nextWithKeypoints(Tensor driving) {
        source.ensureOpen();
        Inputs.checkDriving(source.model().config(), source.source(), driving);
        Keypoints kp = source.model().detectKeypoints(driving);
        if (first == null) {
            first = kp.firstFrame();
        }
        Keypoints norm = KeypointNormalization.normalize(kp, first, source.keypoints(), normalization);
        return new Frames(source.predict(norm), norm);
    }

    /**
     * Animated frames with the keypoints that drove them.
     *
     * @param videoPrediction the animated frames (1, C, D, H, W) in [0, 1]
     * @param keypoints       the driving keypoints after normalisation, one set per frame
     */
    public record Frames(Tensor videoPrediction, Keypoints keypoints) {
    }
}
