package io.motionkernels.tensor;

/**
 * Keypoints of a video: {@code mean} (B, D, K, 2) holding (x, y) in [-1, 1], and {@code var}
 * (B, D, K, 2, 2), or (B, D, K, 1, 1) for {@code kp_variance: single}, or null when the model
 * uses a constant variance.
 */
public record Keypoints(Tensor mean, Tensor var) {
    public int batch() {
        return mean.dim(0);
    }

    public int frames() {
        return mean.dim(1);
    }

    public int count() {
        return mean.dim(2);
    }
}
