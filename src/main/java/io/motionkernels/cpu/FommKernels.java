package io.motionkernels.cpu;

/**
 * First Order Motion Model's own operations on raw memory (see FOMM.md): the anti-aliasing
 * Gaussian downscale, keypoints and jacobians from softmaxed heatmaps, the per-keypoint affine
 * sparse motions, their mask-weighted combination, the occlusion scaling and a softmax over
 * channels. Sums are accumulated in double: these are the reference the CUDA kernels
 * ({@code kernels/fomm.cu}) are checked against.
 */
public final class FommKernels {
    private FommKernels() {
    }

    /** FOMM's antialias kernel size for a scale s &lt; 1: 2 * round(4 sigma) + 1 with half-to-even rounding. */
    public static int antialiasKernelSize(double scale) {
        double sigma = (1 / scale - 1) / 2;
        return 2 * (int) Math.rint(4 * sigma) + 1;
    }

    /** The normalised k x k Gaussian of AntiAliasInterpolation2d for a scale s &lt; 1, row-major. */
    public static float[] antialiasKernel(double scale) {
        if (!(scale > 0 && scale < 1)) {
            throw new IllegalArgumentException("antialias scale must be in (0, 1), got " + scale);
        }
        double sigma = (1 / scale - 1) / 2;
        int k = antialiasKernelSize(scale);
        double mean = (k - 1) / 2.0;
        double[] g = new double[k];
        for (int i = 0; i < k; i++) {
            g[i] = Math.exp(-(i - mean) * (i - mean) / (2 * sigma * sigma));
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                sum += g[i] * g[j];
            }
        }
        float[] out = new float[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                out[i * k + j] = (float) (g[i] * g[j] / sum);
            }
        }
        return out;
    }

    /** The subsampling step int(1 / s). */
    public static int antialiasStride(double scale) {
        return (int) (1 / scale);
    }

    /** Output size of the antialias downscale along an axis of n: ceil(n / stride). */
    public static int antialiasOutput(int n, int stride) {
        return (n + stride - 1) / stride;
    }

    /**
     * Depthwise k x k convolution of every (h, w) plane with the kernel, zero padding (k-1)/2,
     * evaluated only at rows and columns 0, stride, 2 stride, ...: out (planes, ceil(h/stride),
     * ceil(w/stride)).
     */
    public static void antialias(float[] in, int inOff, int planes, int h, int w, float[] kernel, int kOff, int k,
                                 int stride, float[] out, int oOff) {
        int ho = antialiasOutput(h, stride);
        int wo = antialiasOutput(w, stride);
        int r = (k - 1) / 2;
        Parallel.forRange(planes * ho, 2L * wo * k * k, task -> {
            int p = task / ho;
            int i = task % ho;
            int base = inOff + p * h * w;
            int ob = oOff + task * wo;
            int y0 = i * stride - r;
            for (int j = 0; j < wo; j++) {
                int x0 = j * stride - r;
                double s = 0;
                for (int a = Math.max(0, -y0); a < k && y0 + a < h; a++) {
                    int row = base + (y0 + a) * w;
                    int kr = kOff + a * k;
                    for (int b = Math.max(0, -x0); b < k && x0 + b < w; b++) {
                        s += (double) kernel[kr + b] * in[row + x0 + b];
                    }
                }
                out[ob + j] = (float) s;
            }
        });
    }

    /** The coordinate grid's axis of n points: 2 i / (n - 1) - 1 (0 for a single point, as 0/0 is not a pixel). */
    static double[] axis(int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = n == 1 ? 0 : 2 * ((double) i / (n - 1)) - 1;
        }
        return a;
    }

    /**
     * Keypoints from softmaxed heatmaps heat (b, k, h, w): value (b, k, 2) = the heat-weighted
     * mean of the (h, w) coordinate grid; with {@code maps} (b, 4 j, h, w) non-null also the
     * jacobian (b, k, 4), entry e of keypoint k being the heat-weighted sum of map channel
     * 4 m + e, m = k (j = k) or 0 (j = 1).
     */
    public static void heatmapKeypoints(float[] heat, int hOff, float[] maps, int mOff, int b, int k, int j, int h,
                                        int w, float[] value, int vOff, float[] jac, int jOff) {
        double[] xs = axis(w);
        double[] ys = axis(h);
        int plane = h * w;
        Parallel.forRange(b * k, 12L * plane, t -> {
            int bi = t / k;
            int ki = t % k;
            int base = hOff + t * plane;
            double sx = 0;
            double sy = 0;
            for (int i = 0; i < h; i++) {
                for (int jj = 0; jj < w; jj++) {
                    double q = heat[base + i * w + jj];
                    sx += q * xs[jj];
                    sy += q * ys[i];
                }
            }
            value[vOff + t * 2] = (float) sx;
            value[vOff + t * 2 + 1] = (float) sy;
            if (maps == null) {
                return;
            }
            int m = j == 1 ? 0 : ki;
            for (int e = 0; e < 4; e++) {
                int mb = mOff + (bi * 4 * j + 4 * m + e) * plane;
                double s = 0;
                for (int p = 0; p < plane; p++) {
                    s += (double) heat[base + p] * maps[mb + p];
                }
                jac[jOff + t * 4 + e] = (float) s;
            }
        });
    }

    /**
     * A = J_s inverse(J_d) in double, row-major, from the 2x2 jacobians at js[jo..] and jd[jdo..];
     * the identity when either is absent.
     */
    static double[] sourceTimesInverse(float[] js, int jso, float[] jd, int jdo) {
        if (js == null || jd == null) {
            return new double[] {1, 0, 0, 1};
        }
        double a = jd[jdo], b = jd[jdo + 1], c = jd[jdo + 2], d = jd[jdo + 3];
        double det = a * d - b * c;
        double i0 = d / det, i1 = -b / det, i2 = -c / det, i3 = a / det;
        double s0 = js[jso], s1 = js[jso + 1], s2 = js[jso + 2], s3 = js[jso + 3];
        return new double[] {s0 * i0 + s1 * i2, s0 * i1 + s1 * i3, s2 * i0 + s3 * i2, s2 * i1 + s3 * i3};
    }

    /**
     * The sparse motions of n frames: out (n, k+1, h, w, 3), slot 0 the identity grid, slot
     * 1 + k the backward warp A_k (z - d_k) + s_k with A_k = J_s,k inverse(J_d,k) (identity
     * without jacobians); the third component is 0 (a depth-1 grid_sample coordinate). Keypoints
     * src/drv value (n, k, 2), jacobian (n, k, 4) or null.
     */
    public static void sparseMotion(float[] sv, int svOff, float[] sj, int sjOff, float[] dv, int dvOff, float[] dj,
                                    int djOff, int n, int k, int h, int w, float[] out, int oOff) {
        double[] xs = axis(w);
        double[] ys = axis(h);
        int plane = h * w;
        Parallel.forRange(n * (k + 1), 8L * plane, t -> {
            int f = t / (k + 1);
            int slot = t % (k + 1);
            int ob = oOff + t * plane * 3;
            if (slot == 0) {
                for (int i = 0; i < h; i++) {
                    for (int jj = 0; jj < w; jj++) {
                        int o = ob + (i * w + jj) * 3;
                        out[o] = (float) xs[jj];
                        out[o + 1] = (float) ys[i];
                        out[o + 2] = 0f;
                    }
                }
                return;
            }
            int kk = f * k + slot - 1;
            double[] a = sourceTimesInverse(sj, sjOff + kk * 4, dj, djOff + kk * 4);
            double dx = dv[dvOff + kk * 2], dy = dv[dvOff + kk * 2 + 1];
            double sx = sv[svOff + kk * 2], sy = sv[svOff + kk * 2 + 1];
            for (int i = 0; i < h; i++) {
                double y = ys[i] - dy;
                for (int jj = 0; jj < w; jj++) {
                    double x = xs[jj] - dx;
                    int o = ob + (i * w + jj) * 3;
                    out[o] = (float) (a[0] * x + a[1] * y + sx);
                    out[o + 1] = (float) (a[2] * x + a[3] * y + sy);
                    out[o + 2] = 0f;
                }
            }
        });
    }

    /** deformation (n, plane, 3) = sum over the s slots of mask (n, s, plane) times motion (n, s, plane, 3); z = 0. */
    public static void combineMotion(float[] mask, int mOff, float[] motion, int tOff, int n, int s, int plane,
                                     float[] out, int oOff) {
        int chunk = 1024;
        int chunks = (plane + chunk - 1) / chunk;
        Parallel.forRange(n * chunks, 6L * s * chunk, task -> {
            int f = task / chunks;
            int p0 = (task % chunks) * chunk;
            int p1 = Math.min(plane, p0 + chunk);
            for (int p = p0; p < p1; p++) {
                double x = 0;
                double y = 0;
                for (int q = 0; q < s; q++) {
                    double m = mask[mOff + (f * s + q) * plane + p];
                    int t = tOff + ((f * s + q) * plane + p) * 3;
                    x += m * motion[t];
                    y += m * motion[t + 1];
                }
                int o = oOff + (f * plane + p) * 3;
                out[o] = (float) x;
                out[o + 1] = (float) y;
                out[o + 2] = 0f;
            }
        });
    }

    /** out (n, c, plane) = in (n, c, plane) times weight (n, plane), broadcast over channels. */
    public static void scalePixels(float[] in, int iOff, float[] weight, int wOff, int n, int c, int plane,
                                   float[] out, int oOff) {
        Parallel.forRange(n * c, 2L * plane, t -> {
            int ib = iOff + t * plane;
            int wb = wOff + (t / c) * plane;
            int ob = oOff + t * plane;
            for (int p = 0; p < plane; p++) {
                out[ob + p] = in[ib + p] * weight[wb + p];
            }
        });
    }
}
