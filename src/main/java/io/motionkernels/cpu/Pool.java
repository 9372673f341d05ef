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
        float[] in = x.data();
        float[] o = out.data();
        Parallel.forRange(planes, 4L * ho * wo, p -> {
            int ib = p * h * w;
            int ob = p * ho * wo;
            for (int i = 0; i < ho; i++) {
                int r0 = ib + 2 * i * w;
                int r1 = r0 + w;
                int orow = ob + i * wo;
                for (int j = 0; j < wo; j++) {
                    o[orow + j] = (in[r0 + 2 * j] + in[r0 + 2 * j + 1] + in[r1 + 2 * j] + in[r1 + 2 * j + 1]) * 0.25f;
                }
            }
        });
        return out;
    }
}
