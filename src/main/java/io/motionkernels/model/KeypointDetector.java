package io.motionkernels.model;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.Interpolate;
import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.cpu.Softmax;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

/** The keypoint detector [kp_detector.predictor.]: hourglass, pixel softmax, moments. */
public final class KeypointDetector {
    private final ModelConfig config;
    private final Hourglass predictor;

    KeypointDetector(ModelConfig config, Weights w) {
        this.config = config;
        ModelConfig.KpDetectorParams p = config.kpDetector();
        predictor = new Hourglass(w, "kp_detector.predictor.", p.blockExpansion(), config.common().numChannels(),
                config.common().numKp(), p.numBlocks(), p.maxFeatures());
    }

    /** The hourglass output before the softmax (B, K, D, h, w). */
    public Tensor heatmapLogits(Tensor video) {
        double s = config.kpDetector().scaleFactor();
        Tensor x = s == 1 ? video : Interpolate.nearestScale(video, 1, s, s);
        return predictor.forward(x);
    }

    /** video (B, C, D, H, W) -> keypoints of every frame. */
    public Keypoints detect(Tensor video) {
        Tensor heat = Softmax.overPixels(heatmapLogits(video), config.kpDetector().temperature());
        return KeypointOps.gaussian2kp(heat, config.common().kpVariance(), config.kpDetector().clipVariance());
    }
}
