package io.motionkernels.model;

import io.motionkernels.checkpoint.StateDict;
import io.motionkernels.checkpoint.Weights;

/** A configured Monkey-Net with its weights: the keypoint detector and the generator. */
public record MonkeyNet(ModelConfig config, KeypointDetector kpDetector, Generator generator) {

    /**
     * Builds both networks. Weights from a checkpoint are checked as a whole: every missing,
     * unexpected or mis-shaped parameter is reported in one message.
     */
    public static MonkeyNet build(ModelConfig config, Weights weights) {
        KeypointDetector kp = new KeypointDetector(config, weights);
        Generator g = new Generator(config, weights);
        if (weights instanceof StateDict sd) {
            sd.checkComplete(config.name(), "generator.", "kp_detector.");
        }
        return new MonkeyNet(config, kp, g);
    }
}
