package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

/** PyTorch's F.interpolate on 5-D (B, C, D, H, W) tensors. */
public final class Interpolate {
    private Interpolate() {
    }

    /** Nearest to a size: source index floor(dst * in / out). */
    public static Tensor nearest(Tensor x, int outD, int outH, int outW) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Nearest by scale factors: output size floor(in * s), source index floor(dst / s). */
    public static Tensor nearestScale(Tensor x, double sd, double sh, double sw) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Trilinear to a size, align_corners = false. */
    public static Tensor trilinear(Tensor x, int outD, int outH, int outW) {
        throw new UnsupportedOperationException("TODO");
    }
}
