package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

/**
 * Softmaxes over pixels and over channels. With the Vector API (see {@link VectorOps}) the exps
 * are {@link VectorMath#exp}'s float32 polynomial, summed in float within blocks; without it,
 * {@code Math.exp} in double, which the tests take as the reference.
 */
public final class Softmax {
    private Softmax() {
    }

    /** Softmax of x / temperature over the H*W pixels of each (b, c, d) of a (B, C, D, H, W) tensor. */
    public static Tensor overPixels(Tensor x, double temperature) {
        Shapes.requireRank("softmax over pixels", "x", x, 5);
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("softmax temperature must be a positive number, got " + temperature);
        }
        int hw = x.dim(3) * x.dim(4);
        int planes = x.dim(0) * x.dim(1) * x.dim(2);
        Tensor out = Tensor.zeros(x.shape());
        overPixels(x.data(), 0, planes, hw, temperature, out.data(), 0);
        return out;
    }

    /** {@link #overPixels(Tensor, double)} on raw memory: planes of hw values from in[inOff] to o[oOff]. */
    public static void overPixels(float[] in, int inOff, int planes, int hw, double temperature, float[] o, int oOff) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("softmax temperature must be a positive number, got " + temperature);
        }
        double invT = 1.0 / temperature;
        float invTf = (float) invT;
        if (VectorOps.on() && Float.isFinite(invTf)) {
            Parallel.forRange(planes, 6L * hw, p -> VectorMath.softmaxPlane(in, inOff + p * hw, hw, invTf, o, oOff + p * hw));
            return;
        }
        Parallel.forRange(planes, 20L * hw, p -> {
            int base = inOff + p * hw;
            int ob = oOff + p * hw;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = base; i < base + hw; i++) {
                max = Math.max(max, in[i]);
            }
            // Shifting by the maximum keeps exp from overflowing; the scale by 1/T is positive so
            // the maximum of x/T is max(x)/T.
            double m = max * invT;
            double sum = 0;
            for (int i = 0; i < hw; i++) {
                sum += Math.exp(in[base + i] * invT - m);
            }
            double inv = 1.0 / sum;
            for (int i = 0; i < hw; i++) {
                o[ob + i] = (float) (Math.exp(in[base + i] * invT - m) * inv);
            }
        });
    }

    /** Softmax over channels [0, channels) of a (B, C, D, H, W) tensor: (B, channels, D, H, W). */
    public static Tensor overChannels(Tensor x, int channels) {
        Shapes.requireRank("softmax over channels", "x", x, 5);
        int b = x.dim(0);
        int c = x.dim(1);
        if (channels < 1 || channels > c) {
            throw new IllegalArgumentException("softmax over channels: asked for " + channels + " channels of " + x.shapeString());
        }
        int inner = x.dim(2) * x.dim(3) * x.dim(4);
        Tensor out = Tensor.zeros(b, channels, x.dim(2), x.dim(3), x.dim(4));
        overChannels(x.data(), 0, b, c, channels, inner, out.data(), 0);
        return out;
    }

    /**
     * {@link #overChannels(Tensor, int)} on raw memory: channels [0, channels) of (b, cin, inner)
     * at in[iOff], out (b, channels, inner) at o[oOff].
     */
    public static void overChannels(float[] in, int iOff, int b, int cin, int channels, int inner, float[] o, int oOff) {
        int chunk = 1024;
        int chunks = (inner + chunk - 1) / chunk;
        if (VectorOps.on()) {
            Parallel.forRange(b * chunks, 6L * chunk * channels, task -> {
                int bi = task / chunks;
                int p0 = (task % chunks) * chunk;
                VectorMath.softmaxChannels(in, iOff + bi * cin * inner, inner, channels, p0, Math.min(inner, p0 + chunk),
                        o, oOff + bi * channels * inner);
            });
            return;
        }
        Parallel.forRange(b * chunks, 20L * chunk * channels, task -> {
            int bi = task / chunks;
            int p0 = (task % chunks) * chunk;
            int p1 = Math.min(inner, p0 + chunk);
            int ib = iOff + bi * cin * inner;
            int ob = oOff + bi * channels * inner;
            double[] e = new double[channels];
            for (int p = p0; p < p1; p++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < channels; k++) {
                    max = Math.max(max, in[ib + k * inner + p]);
                }
                double sum = 0;
                for (int k = 0; k < channels; k++) {
                    e[k] = Math.exp((double) in[ib + k * inner + p] - max);
                    sum += e[k];
                }
                double inv = 1.0 / sum;
                for (int k = 0; k < channels; k++) {
                    o[ob + k * inner + p] = (float) (e[k] * inv);
                }
            }
        });
    }
}
