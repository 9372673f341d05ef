package io.motionkernels.cpu;

import io.motionkernels.engine.Scales;
import io.motionkernels.tensor.Tensor;

/** PyTorch's F.interpolate on 5-D (B, C, D, H, W) tensors. */
public final class Interpolate {
    private Interpolate() {
    }

    /** Nearest to a size: source index floor(dst * in / out). */
    public static Tensor nearest(Tensor x, int outD, int outH, int outW) {
        Shapes.requireRank("nearest interpolation", "x", x, 5);
        requirePositive("nearest interpolation", outD, outH, outW);
        return gather(x, nearestIndex(x.dim(2), outD, 0), nearestIndex(x.dim(3), outH, 0),
                nearestIndex(x.dim(4), outW, 0));
    }

    /** Nearest by scale factors: output size floor(in * s), source index floor(dst / s). */
    public static Tensor nearestScale(Tensor x, double sd, double sh, double sw) {
        Shapes.requireRank("nearest interpolation", "x", x, 5);
        for (double s : new double[] {sd, sh, sw}) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("nearest interpolation: scale factors must be positive, got "
                        + sd + ", " + sh + ", " + sw);
            }
        }
        int outD = scaledSize(x.dim(2), sd);
        int outH = scaledSize(x.dim(3), sh);
        int outW = scaledSize(x.dim(4), sw);
        requirePositive("nearest interpolation by " + sd + ", " + sh + ", " + sw + " of " + x.shapeString(), outD, outH, outW);
        return gather(x, nearestIndex(x.dim(2), outD, sd), nearestIndex(x.dim(3), outH, sh),
                nearestIndex(x.dim(4), outW, sw));
    }

    /**
     * Trilinear to a size, align_corners = false, as PyTorch's area_pixel_compute_source_index and
     * compute_indices_weights_linear: source max(0, (dst + 0.5) * in / out - 0.5), the upper
     * neighbour one step further unless at the edge; in float, with the scales the CUDA kernel takes.
     */
    public static Tensor trilinear(Tensor x, int outD, int outH, int outW) {
        Shapes.requireRank("trilinear interpolation", "x", x, 5);
        requirePositive("trilinear interpolation", outD, outH, outW);
        Tensor out = Tensor.zeros(x.dim(0), x.dim(1), outD, outH, outW);
        trilinear(x.data(), 0, x.dim(0) * x.dim(1), x.dim(2), x.dim(3), x.dim(4), outD, outH, outW,
                Scales.linear(x.dim(2), outD, null), Scales.linear(x.dim(3), outH, null),
                Scales.linear(x.dim(4), outW, null), out.data(), 0);
        return out;
    }

    /**
     * Trilinear interpolation (align_corners = false) on raw memory with the source-per-destination
     * scales given (as the CUDA kernel takes them): nc planes of (di, hi, wi) at in[inOff] to
     * (od, ho, wo) at out[outOff].
     */
    public static void trilinear(float[] in, int inOff, int nc, int di, int hi, int wi, int od, int ho, int wo,
                                 float rd, float rh, float rw, float[] out, int outOff) {
        int hw = hi * wi;
        int[] x0 = new int[wo];
        int[] x1 = new int[wo];
        float[] xl = new float[wo];
        for (int x = 0; x < wo; x++) {
            float s = linearSource(x, rw);
            x0[x] = (int) s;
            x1[x] = x0[x] < wi - 1 ? 1 : 0;
            xl[x] = s - x0[x];
        }
        Parallel.forRange(nc * od, 20L * ho * wo, cd -> {
            int c = cd / od;
            int d = cd % od;
            float sd = linearSource(d, rd);
            int t0 = (int) sd;
            int th = (t0 < di - 1 ? 1 : 0) * hw;
            float t1l = sd - t0;
            float t0l = 1f - t1l;
            int idx = outOff + cd * ho * wo;
            for (int y = 0; y < ho; y++) {
                float sy = linearSource(y, rh);
                int h0 = (int) sy;
                int hs = (h0 < hi - 1 ? 1 : 0) * wi;
                float h1l = sy - h0;
                float h0l = 1f - h1l;
                int rowBase = inOff + c * di * hw + t0 * hw + h0 * wi;
                for (int x = 0; x < wo; x++) {
                    int s = rowBase + x0[x];
                    int w1p = x1[x];
                    float w1l = xl[x];
                    float w0l = 1f - w1l;
                    out[idx++] = t0l * (h0l * (w0l * in[s] + w1l * in[s + w1p]) + h1l * (w0l * in[s + hs] + w1l * in[s + hs + w1p]))
                            + t1l * (h0l * (w0l * in[s + th] + w1l * in[s + th + w1p])
                            + h1l * (w0l * in[s + th + hs] + w1l * in[s + th + hs + w1p]));
                }
            }
        });
    }

    /** The kernel's source coordinate for destination index dst: max(0, r * (dst + 0.5) - 0.5), in float. */
    private static float linearSource(int dst, float r) {
        float s = r * ((float) dst + 0.5f) - 0.5f;
        return s < 0f ? 0f : s;
    }

    static int scaledSize(int in, double s) {
        double v = Math.floor(in * s);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("interpolation output size " + v + " is too large");
        }
        return (int) v;
    }

    /**
     * PyTorch's nearest_idx: identity and halving are special-cased; otherwise the source index is
     * floor(dst * scale) in float32 arithmetic, scale = 1/s when a scale factor was given (s > 0)
     * and in/out otherwise, clamped to in - 1. Float arithmetic matters: it decides ties.
     */
    static int[] nearestIndex(int in, int out, double scaleFactor) {
        int[] idx = new int[out];
        if (out == in) {
            for (int i = 0; i < out; i++) {
                idx[i] = i;
            }
        } else if (out == 2 * in) {
            for (int i = 0; i < out; i++) {
                idx[i] = i >> 1;
            }
        } else {
            float scale = scaleFactor > 0 ? (float) (1.0 / scaleFactor) : (float) in / out;
            for (int i = 0; i < out; i++) {
                float src = (float) i * scale;
                idx[i] = Math.min((int) Math.floor(src), in - 1);
            }
        }
        return idx;
    }

    private static Tensor gather(Tensor x, int[] id, int[] ih, int[] iw) {
        int inD = x.dim(2);
        int inH = x.dim(3);
        int inW = x.dim(4);
        int outD = id.length;
        int outH = ih.length;
        int outW = iw.length;
        int planes = x.dim(0) * x.dim(1);
        Tensor out = Tensor.zeros(x.dim(0), x.dim(1), outD, outH, outW);
        float[] in = x.data();
        float[] o = out.data();
        Parallel.forRange(planes * outD, 2L * outH * outW, task -> {
            int plane = task / outD;
            int od = task % outD;
            int ib = (plane * inD + id[od]) * inH * inW;
            int ob = (plane * outD + od) * outH * outW;
            for (int oh = 0; oh < outH; oh++) {
                int row = ib + ih[oh] * inW;
                int orow = ob + oh * outW;
                for (int ow = 0; ow < outW; ow++) {
                    o[orow + ow] = in[row + iw[ow]];
                }
            }
        });
        return out;
    }

    private static void requirePositive(String op, int d, int h, int w) {
        if (d < 1 || h < 1 || w < 1) {
            throw new IllegalArgumentException(op + ": output size must be positive, got " + Shapes.str(d, h, w));
        }
    }
}
