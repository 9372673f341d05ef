package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;
import io.motionkernels.tensor.Tensor;

import java.util.Arrays;

/** Element-wise and layout operations on (B, C, D, H, W) tensors. */
public final class Elementwise {
    private Elementwise() {
    }

    /** Per-channel {@code act(x * scale[c] + shift[c])}: an inference batch norm that cannot be folded. */
    public static Tensor affineChannels(Tensor x, float[] scale, float[] shift, Activation act) {
        Shapes.requireMinRank("affineChannels", "x", x, 2);
        int b = x.dim(0);
        int c = x.dim(1);
        if (scale.length != c || shift.length != c) {
            throw new IllegalArgumentException("affineChannels: " + c + " channels in x " + x.shapeString()
                    + " but " + scale.length + " scales and " + shift.length + " shifts");
        }
        int inner = Shapes.trailing(x, 2);
        Tensor out = Tensor.zeros(x.shape());
        affineChannels(x.data(), 0, scale, 0, shift, 0, b, c, inner, act, out.data(), 0, c, 0);
        return out;
    }

    /**
     * {@link #affineChannels(Tensor, float[], float[], Activation)} on raw memory, scale and shift
     * optional (null: 1 and 0): (b, c, inner) at in[inOff] into channels [outOffset, outOffset + c)
     * of (b, outChannels, inner) at o[oOff]. With neither, a copy into a channel slice.
     */
    public static void affineChannels(float[] in, int inOff, float[] scale, int scaleOff, float[] shift, int shiftOff,
                                      int b, int c, int inner, Activation act, float[] o, int oOff, int outChannels,
                                      int outOffset) {
        Parallel.forRange(b * c, 2L * inner, plane -> {
            int ch = plane % c;
            int bi = plane / c;
            int base = inOff + plane * inner;
            int ob = oOff + (bi * outChannels + outOffset + ch) * inner;
            if (scale == null && shift == null && act == Activation.NONE) {
                System.arraycopy(in, base, o, ob, inner);
                return;
            }
            float s = scale == null ? 1f : scale[scaleOff + ch];
            float t = shift == null ? 0f : shift[shiftOff + ch];
            switch (act) {
                case NONE -> {
                    for (int i = 0; i < inner; i++) {
                        o[ob + i] = in[base + i] * s + t;
                    }
                }
                case RELU -> {
                    for (int i = 0; i < inner; i++) {
                        float v = in[base + i] * s + t;
                        o[ob + i] = v > 0 ? v : 0f;
                    }
                }
                default -> {
                    for (int i = 0; i < inner; i++) {
                        o[ob + i] = act.apply(in[base + i] * s + t);
                    }
                }
            }
        });
    }

    /** Inference batch norm as (scale, shift) pairs: scale = gamma / sqrt(var + eps), shift = beta - mean * scale. */
    public static float[][] batchNormScaleShift(float[] gamma, float[] beta, float[] runningMean, float[] runningVar, double eps) {
        int c = gamma.length;
        if (beta.length != c || runningMean.length != c || runningVar.length != c) {
            throw new IllegalArgumentException("batch norm parameters disagree on the channel count: weight " + c
                    + ", bias " + beta.length + ", running_mean " + runningMean.length + ", running_var " + runningVar.length);
        }
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            // Double keeps the folded shift as close as possible to (x - mean) / std * gamma + beta.
            double s = gamma[i] / Math.sqrt((double) runningVar[i] + eps);
            scale[i] = (float) s;
            shift[i] = (float) (beta[i] - runningMean[i] * s);
        }
        return new float[][] {scale, shift};
    }

    public static Tensor apply(Tensor x, Activation act) {
        if (act == Activation.NONE) {
            return x;
        }
        float[] in = x.data();
        Tensor out = Tensor.zeros(x.shape());
        float[] o = out.data();
        int n = in.length;
        int chunk = 1 << 14;
        Parallel.forRange((n + chunk - 1) / chunk, 4L * chunk, k -> {
            int end = Math.min(n, (k + 1) * chunk);
            for (int i = k * chunk; i < end; i++) {
                o[i] = act.apply(in[i]);
            }
        });
        return out;
    }

    public static Tensor add(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("add: shapes differ: " + a.shapeString() + " and " + b.shapeString());
        }
        float[] x = a.data();
        float[] y = b.data();
        Tensor out = Tensor.zeros(a.shape());
        float[] o = out.data();
        int n = x.length;
        int chunk = 1 << 14;
        Parallel.forRange((n + chunk - 1) / chunk, chunk, k -> {
            int end = Math.min(n, (k + 1) * chunk);
            for (int i = k * chunk; i < end; i++) {
                o[i] = x[i] + y[i];
            }
        });
        return out;
    }

    /** Concatenates (B, Ci, D, H, W) tensors along channels. */
    public static Tensor concatChannels(Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concatChannels: nothing to concatenate");
        }
        Tensor first = parts[0];
        Shapes.requireMinRank("concatChannels", "part 0", first, 2);
        int b = first.dim(0);
        int inner = Shapes.trailing(first, 2);
        int total = 0;
        for (int p = 0; p < parts.length; p++) {
            Tensor t = parts[p];
            Shapes.requireMinRank("concatChannels", "part " + p, t, 2);
            boolean same = t.rank() == first.rank() && t.dim(0) == b;
            for (int i = 2; same && i < t.rank(); i++) {
                same = t.dim(i) == first.dim(i);
            }
            if (!same) {
                throw new IllegalArgumentException("concatChannels: part " + p + " has shape " + t.shapeString()
                        + ", incompatible with part 0 " + first.shapeString() + " (only channels may differ)");
            }
            total += t.dim(1);
        }
        int[] shape = first.shape();
        shape[1] = total;
        Tensor out = Tensor.zeros(shape);
        int off = 0;
        for (Tensor t : parts) {
            copyChannelsInto(t, out, off);
            off += t.dim(1);
        }
        return out;
    }

    /**
     * Copies {@code src} (B, c, …) into channels [channelOffset, channelOffset + c) of {@code dst}
     * (B, C, …) with the same trailing dimensions: the other half of a concatenation whose first
     * part was written in place.
     */
    public static void copyChannelsInto(Tensor src, Tensor dst, int channelOffset) {
        int b = src.dim(0);
        int inner = Shapes.trailing(src, 2);
        if (dst.dim(0) != b || Shapes.trailing(dst, 2) != inner || channelOffset < 0
                || channelOffset + src.dim(1) > dst.dim(1)) {
            throw new IllegalArgumentException("copyChannelsInto: cannot place " + src.shapeString() + " at channel "
                    + channelOffset + " of " + dst.shapeString());
        }
        int block = src.dim(1) * inner;
        for (int bi = 0; bi < b; bi++) {
            System.arraycopy(src.data(), bi * block, dst.data(), (bi * dst.dim(1) + channelOffset) * inner, block);
        }
    }
}
