package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

/**
 * A prepared 2-D convolution applied to every frame of a video: PyTorch's Conv3d with kernel
 * (1, kh, kw), padding (0, kh/2, kw/2), stride 1, optional groups, a bias, and a fused activation.
 * Frames are treated as batch. Immutable after construction, safe to share between threads.
 */
public final class Conv2d {
    /** weight (cout, cin/groups, kh, kw), bias (cout); kh and kw odd; padding kh/2, kw/2. */
    public static Conv2d of(float[] weight, float[] bias, int cout, int cin, int kh, int kw, int groups) {
        throw new UnsupportedOperationException("TODO");
    }

    /** This convolution followed by inference batch norm, folded into new weights and bias. */
    public Conv2d foldBatchNorm(float[] gamma, float[] beta, float[] runningMean, float[] runningVar, double eps) {
        throw new UnsupportedOperationException("TODO");
    }

    /** This convolution with {@code act} applied to its output. */
    public Conv2d withActivation(Activation act) {
        throw new UnsupportedOperationException("TODO");
    }

    public int inChannels() {
        throw new UnsupportedOperationException("TODO");
    }

    public int outChannels() {
        throw new UnsupportedOperationException("TODO");
    }

    /** x (B, cin, D, H, W) -> (B, cout, D, H, W). */
    public Tensor apply(Tensor x) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Writes the result into channels [channelOffset, channelOffset + cout) of {@code out}
     * (B, C_out_total, D, H, W): concatenation without a copy.
     */
    public void applyInto(Tensor x, Tensor out, int channelOffset) {
        throw new UnsupportedOperationException("TODO");
    }
}
