package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

public final class Pool {
    private Pool() {
    }

    /** AvgPool3d with kernel (1, 2, 2), stride (1, 2, 2): (B, C, D, H, W) -> (B, C, D, H/2, W/2), floor. */
    public static Tensor avgPool2x2(Tensor x) {
        Shapes.requireRank("avgPool2x2", "x", x, 5);
        int h = x.dim(3);
        int w = x.dim(4);
        int ho = h / 2;
        int wo = w / 2;
        int planes = x.dim(0) * x.dim(1) * x.dim(2);
        Tensor out = Tensor.zeros(x.dim(0), x.dim(1), x.dim(2), ho, wo);
        avgPool2x2(x.data(), 0, planes, h, w, out.data(), 0);
        return out;
    }

    /** {@link #avgPool2x2(Tensor)} on raw memory: planes of h x w from in[inOff] to o[oOff]. */
    public static void avgPool2x2(float[] in, int inOff, int planes, int h, int w, float[] o, int oOff) {
        int ho = h / 2;
        int wo = w / 2;
        Parallel.forRange(planes, 4L * ho * wo, p -> {
            int ib = inOff + p * h * w;
            int ob = oOff + p * ho * wo;
            for (int i = 0; i < ho; i++) {
                int r0 = ib + 2 * i * w;
                int r1 = r0 + w;
                int orow = ob + i * wo;
                for (int j = 0; j < wo; j++) {
                    o[orow + j] = (in[r0 + 2 * j] + in[r0 + 2 * j + 1] + in[r1 + 2 * j] + in[r1 + 2 * j + 1]) * 0.25f;
                }
            }
        });
    }
}
