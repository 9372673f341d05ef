package io.motionkernels.media;

/**
 * Resizes one image plane, each axis on its own (separable): an axis that shrinks uses area
 * averaging (every output pixel is the exact average of the input area it covers, with
 * fractional pixels weighted by their covered fraction), an axis that grows or keeps its size uses
 * bilinear interpolation on pixel centres (align_corners = false, edges clamped), which is the
 * identity at equal sizes. Area averaging is what keeps shrunk frames free of aliasing; bilinear
 * keeps enlarged ones smooth. The result never leaves the source's range (pixels in [0, 1] stay
 * there) and is deterministic: fixed loop order, no threads.
 */
public final class ImageResize {
    private ImageResize() {
    }

    /**
     * Resizes a plane; returns a new array even when the sizes match.
     *
     * @param src  the plane, row-major, {@code srcH} x {@code srcW} values
     * @param srcH the source height, at least 1
     * @param srcW the source width, at least 1
     * @param dstH the result's height, at least 1
     * @param dstW the result's width, at least 1
     * @return the resized plane, row-major, {@code dstH} x {@code dstW} values
     * @throws IllegalArgumentException if a size is below 1 or {@code src} does not hold srcH x srcW values
     */
    public static float[] resize(float[] src, int srcH, int srcW, int dstH, int dstW) {
        if (srcH < 1 || srcW < 1 || dstH < 1 || dstW < 1) {
            throw new IllegalArgumentException("sizes must be positive: " + srcH + "x" + srcW + " -> "
                    + dstH + "x" + dstW);
        }
        if (src.length != srcH * srcW) {
            throw new IllegalArgumentException("plane of " + src.length + " values is not " + srcH + "x" + srcW);
        }
        if (srcH == dstH && srcW == dstW) {
            return src.clone();
        }
        Taps horizontal = Taps.of(srcW, dstW);
        Taps vertical = Taps.of(srcH, dstH);
        float[] rows = new float[srcH * dstW];
        for (int y = 0; y < srcH; y++) {
            int in = y * srcW;
            int out = y * dstW;
            for (int x = 0; x < dstW; x++) {
                float acc = 0f;
                for (int t = horizontal.start[x]; t < horizontal.start[x + 1]; t++) {
                    acc += horizontal.weight[t] * src[in + horizontal.index[t]];
                }
                rows[out + x] = acc;
            }
        }
        float[] dst = new float[dstH * dstW];
        for (int y = 0; y < dstH; y++) {
            int out = y * dstW;
            for (int t = vertical.start[y]; t < vertical.start[y + 1]; t++) {
                float w = vertical.weight[t];
                int in = vertical.index[t] * dstW;
                for (int x = 0; x < dstW; x++) {
                    dst[out + x] += w * rows[in + x];
                }
            }
        }
        clampToRange(dst, src);
        return dst;
    }

    /**
     * Every output is a convex combination of inputs, so in exact arithmetic it lies in the
     * input's range; rounded float weights sum to up to 1 + 6e-6 and would carry a white pixel
     * to 1.0000004 (the fuzzer's finding), outside what a pixel may be. Clamping to the source's
     * own range removes that overshoot and nothing else.
     */
    private static void clampToRange(float[] dst, float[] src) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : src) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        for (int i = 0; i < dst.length; i++) {
            dst[i] = Math.min(Math.max(dst[i], lo), hi);
        }
    }

    /** The input pixels and weights that make each output pixel along one axis (CSR layout). */
    private static final class Taps {
        final int[] start;
        final int[] index;
        final float[] weight;

        private Taps(int[] start, int[] index, float[] weight) {
            this.start = start;
            this.index = index;
            this.weight = weight;
        }

        static Taps of(int in, int out) {
            return in > out ? area(in, out) : bilinear(in, out);
        }

        private static Taps area(int in, int out) {
            double scale = (double) in / out;
            int maxTaps = (int) Math.ceil(scale) + 1;
            int[] start = new int[out + 1];
            int[] index = new int[out * maxTaps];
            float[] weight = new float[out * maxTaps];
            int n = 0;
            for (int o = 0; o < out; o++) {
                start[o] = n;
                // Exact integer bounds of the covered area in units of 1/out input pixels, so that
                // the weights of each output pixel sum to one without rounding drift.
                long lo = (long) o * in;
                long hi = (long) (o + 1) * in;
                for (long i = lo / out; i * out < hi; i++) {
                    long covered = Math.min(hi, (i + 1) * out) - Math.max(lo, i * out);
                    if (covered > 0) {
                        index[n] = (int) i;
                        weight[n] = (float) ((double) covered / in);
                        n++;
                    }
                }
            }
            start[out] = n;
            return new Taps(start, index, weight);
        }

        private static Taps bilinear(int in, int out) {
            int[] start = new int[out + 1];
            int[] index = new int[out * 2];
            float[] weight = new float[out * 2];
            double scale = (double) in / out;
            for (int o = 0; o < out; o++) {
                double x = Math.min(Math.max((o + 0.5) * scale - 0.5, 0.0), in - 1);
                int i0 = (int) Math.floor(x);
                int i1 = Math.min(i0 + 1, in - 1);
                float f = (float) (x - i0);
                start[o] = 2 * o;
                index[2 * o] = i0;
                weight[2 * o] = 1f - f;
                index[2 * o + 1] = i1;
                weight[2 * o + 1] = f;
            }
            start[out] = 2 * out;
            return new Taps(start, index, weight);
        }
    }
}
