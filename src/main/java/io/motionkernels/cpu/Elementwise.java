package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

/** Element-wise and layout operations on (B, C, D, H, W) tensors. */
public final class Elementwise {
    private Elementwise() {
    }

    /** Per-channel {@code act(x * scale[c] + shift[c])}: an inference batch norm that cannot be folded. */
    public static Tensor affineChannels(Tensor x, float[] scale, float[] shift, Activation act) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Inference batch norm as (scale, shift) pairs: scale = gamma / sqrt(var + eps), shift = beta - mean * scale. */
    public static float[][] batchNormScaleShift(float[] gamma, float[] beta, float[] runningMean, float[] runningVar, double eps) {
        throw new UnsupportedOperationException("TODO");
    }

    public static Tensor apply(Tensor x, Activation act) {
        throw new UnsupportedOperationException("TODO");
    }

    public static Tensor add(Tensor a, Tensor b) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Concatenates (B, Ci, D, H, W) tensors along channels. */
    public static Tensor concatChannels(Tensor... parts) {
        throw new UnsupportedOperationException("TODO");
    }
}
