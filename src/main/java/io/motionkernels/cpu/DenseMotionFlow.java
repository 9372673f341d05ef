package io.motionkernels.cpu;

/**
 * The dense-motion module's last step: its prediction (b, cp, d, h, w) turned into a sampling
 * grid (b, d, h, w, 3) = identity grid + sum over keypoints of softmax-mask * (kp_source -
 * kp_driving) [+ the predicted correction], z = 0. Without a prediction (pred null) it is the
 * identity grid; with only the correction, grid + correction (what the movement embedding's
 * deformed source uses).
 */
public final class DenseMotionFlow {
    private DenseMotionFlow() {
    }

    /** drvMean (b, d, k, 2), srcMean (b, k, 2); each array with its offset; writes out[outOff..]. */
    public static void flow(float[] pred, int predOff, float[] dm, int dmOff, float[] sm, int smOff, int b, int cp, int k,
                            int d, int h, int w, boolean useMask, boolean useCorrection, float[] out, int outOff) {
        int hw = h * w;
        int inner = d * hw;
        Parallel.forRange(b * d, 40L * hw * (useMask ? k + 1 : 1), job -> {
            int bi = job / d;
            int di = job % d;
            for (int q = di * hw; q < (di + 1) * hw; q++) {
                int p = q % hw;
                int base = predOff + bi * cp * inner + q;
                float fx = 0f;
                float fy = 0f;
                if (useMask) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int c = 0; c <= k; c++) {
                        m = Math.max(m, pred[base + c * inner]);
                    }
                    float s = 0f;
                    for (int c = 0; c <= k; c++) {
                        s += (float) Math.exp(pred[base + c * inner] - m);
                    }
                    for (int c = 1; c <= k; c++) {
                        float mk = (float) Math.exp(pred[base + c * inner] - m) / s;
                        int kd = dmOff + ((bi * d + di) * k + c - 1) * 2;
                        int ks = smOff + (bi * k + c - 1) * 2;
                        fx += (sm[ks] - dm[kd]) * mk;
                        fy += (sm[ks + 1] - dm[kd + 1]) * mk;
                    }
                }
                if (useCorrection) {
                    fx += pred[base + (cp - 2) * inner];
                    fy += pred[base + (cp - 1) * inner];
                }
                int o = outOff + (bi * inner + q) * 3;
                out[o] = fx + coord(p % w, w);
                out[o + 1] = fy + coord(p / w, h);
                out[o + 2] = 0f;
            }
        });
    }

    /** The identity grid's coordinate of index j of n: 2 j / (n - 1) - 1, as the kernel computes it. */
    private static float coord(int j, int n) {
        return 2f * ((float) j / (float) (n - 1)) - 1f;
    }
}
