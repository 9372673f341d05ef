package io.motionkernels.cpu;

import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

/** Conversions between keypoints and heatmaps (Monkey-Net's kp2gaussian and gaussian2kp). */
public final class KeypointOps {
    private KeypointOps() {
    }

    /** Coordinate grid (h, w, 2): grid[i][j] = (2j/(w-1) - 1, 2i/(h-1) - 1). */
    public static Tensor coordinateGrid(int h, int w) {
        throw new UnsupportedOperationException("TODO");
    }

    /** kp (mean (B, D, K, 2), var per {@code variance}) -> gaussians (B, D, K, h, w). */
    public static Tensor kp2gaussian(Keypoints kp, int h, int w, KpVariance variance) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * heat (B, K, D, h, w), each map a softmax -> keypoints with mean (B, D, K, 2) and var
     * (B, D, K, 2, 2) for matrix, (B, D, K, 1, 1) for single, null for a constant variance.
     * {@code clipVariance} is null when not set.
     */
    public static Keypoints gaussian2kp(Tensor heat, KpVariance variance, Double clipVariance) {
        throw new UnsupportedOperationException("TODO");
    }
}
