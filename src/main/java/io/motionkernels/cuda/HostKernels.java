package io.motionkernels.cuda;

import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.cpu.Softmax;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Tensor;

/** {@link HostDevice}'s kernel bodies: ports of kernels/*.cu formulas, or the CPU operations they match. */
final class HostKernels {
    private HostKernels() {
    }

    /** interp_trilinear with the host-given scales (align_corners = false). */
    static float[] trilinear(float[] in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd, float rh,
                             float rw) {
        float[] out = new float[nc * od * ho * wo];
        int hw = hi * wi;
        int idx = 0;
        for (int c = 0; c < nc; c++) {
            for (int d = 0; d < od; d++) {
                float[] t = src(d, rd, di);
                for (int y = 0; y < ho; y++) {
                    float[] hh = src(y, rh, hi);
                    for (int x = 0; x < wo; x++) {
                        float[] ww = src(x, rw, wi);
                        int s = c * di * hw + (int) t[0] * hw + (int) hh[0] * wi + (int) ww[0];
                        int th = (int) t[1] * hw, hs = (int) hh[1] * wi, w1p = (int) ww[1];
                        float t1l = t[2], h1l = hh[2], w1l = ww[2];
                        float t0l = 1f - t1l, h0l = 1f - h1l, w0l = 1f - w1l;
                        out[idx++] = t0l * (h0l * (w0l * in[s] + w1l * in[s + w1p]) + h1l * (w0l * in[s + hs] + w1l * in[s + hs + w1p]))
                                + t1l * (h0l * (w0l * in[s + th] + w1l * in[s + th + w1p])
                                + h1l * (w0l * in[s + th + hs] + w1l * in[s + th + hs + w1p]));
                    }
                }
            }
        }
        return out;
    }

    /** {i0, step, l1} of mk_linear_src. */
    private static float[] src(int dst, float r, int in) {
        float s = r * ((float) dst + 0.5f) - 0.5f;
        s = s < 0f ? 0f : s;
        int i0 = (int) s;
        return new float[] {i0, i0 < in - 1 ? 1 : 0, s - (float) i0};
    }

    /** channels_last_to_first (toFirst) or channels_first_to_last of (b, inner, c) / (b, c, inner). */
    static float[] transposeLast(float[] in, int b, long inner, int c, boolean toFirst) {
        float[] out = new float[in.length];
        int n = Math.toIntExact(inner);
        for (int bi = 0; bi < b; bi++) {
            for (int ci = 0; ci < c; ci++) {
                for (int p = 0; p < n; p++) {
                    int first = (bi * c + ci) * n + p;
                    int last = (bi * n + p) * c + ci;
                    if (toFirst) {
                        out[first] = in[last];
                    } else {
                        out[last] = in[first];
                    }
                }
            }
        }
        return out;
    }

    static float[] softmaxRows(float[] x, long rows, int n, float temperature) {
        return Softmax.overPixels(Tensor.of(x, 1, Math.toIntExact(rows), 1, 1, n), temperature).data();
    }

    /** Normalised gaussians (b, d, k, h, w) of keypoints, as the movement embedding's heatmaps. */
    static Tensor heatmaps(float[] mean, float[] var, KpVariance variance, int b, int d, int k, int h, int w,
                           Double normConst) {
        Tensor v = var == null ? null : variance.kind() == KpVariance.Kind.MATRIX ? Tensor.of(var, b, d, k, 2, 2)
                : Tensor.of(var, b, d, k, 1, 1);
        Tensor heat = KeypointOps.kp2gaussian(new Keypoints(Tensor.of(mean, b, d, k, 2), v), h, w, variance);
        float[] x = heat.data();
        int plane = h * w;
        for (int start = 0; start < x.length; start += plane) {
            float norm;
            if (normConst != null) {
                norm = normConst.floatValue();
            } else {
                double sum = 0;
                for (int i = 0; i < plane; i++) {
                    sum += x[start + i];
                }
                norm = (float) sum;
            }
            for (int i = 0; i < plane; i++) {
                x[start + i] /= norm;
            }
        }
        return heat;
    }

    /** dense_motion_flow without the mask output: (b, d*h*w, 3). */
    static float[] flow(float[] pred, float[] dm, float[] sm, int b, int cp, int k, int d, int h, int w,
                        boolean useMask, boolean useCorrection) {
        int hw = h * w;
        int inner = d * hw;
        float[] out = new float[3 * b * inner];
        for (int bi = 0; bi < b; bi++) {
            for (int q = 0; q < inner; q++) {
                int di = q / hw, p = q % hw;
                int base = bi * cp * inner + q;
                float fx = 0f, fy = 0f;
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
                        int kd = ((bi * d + di) * k + c - 1) * 2, ks = (bi * k + c - 1) * 2;
                        fx += (sm[ks] - dm[kd]) * mk;
                        fy += (sm[ks + 1] - dm[kd + 1]) * mk;
                    }
                }
                if (useCorrection) {
                    fx += pred[base + (cp - 2) * inner];
                    fy += pred[base + (cp - 1) * inner];
                }
                int o = (bi * inner + q) * 3;
                out[o] = fx + coord(p % w, w);
                out[o + 1] = fy + coord(p / w, h);
                out[o + 2] = 0f;
            }
        }
        return out;
    }

    /** mk_grid_coord. */
    private static float coord(int j, int n) {
        return 2f * ((float) j / (float) (n - 1)) - 1f;
    }
}
