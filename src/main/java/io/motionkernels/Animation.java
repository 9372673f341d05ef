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

    /** driving frames (1, C, D, H, W) in [0, 1] -> animated frames (1, C, D, H, W). */
    public Tensor next(Tensor driving) {
        return nextWithKeypoints(driving).videoPrediction();
    }

    /** Like {@link #next}, also returning the normalised keypoints used. */
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

    public record Frames(Tensor videoPrediction, Keypoints keypoints) {
    }
}
