package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

public final class Pool {
    private Pool() {
    }

    /** AvgPool3d with kernel (1, 2, 2), stride (1, 2, 2): (B, C, D, H, W) -> (B, C, D, H/2, W/2), floor. */
    public static Tensor avgPool2x2(Tensor x) {
        throw new UnsupportedOperationException("TODO");
    }
}
