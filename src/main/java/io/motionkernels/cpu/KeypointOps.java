package io.motionkernels.cpu;

import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

/**
 * Conversions between keypoints and heatmaps (Monkey-Net's kp2gaussian and gaussian2kp).
 *
 * <p>With h == 1 or w == 1 the coordinate grid divides 0 by 0, exactly as Monkey-Net's
 * make_coordinate_grid does in PyTorch: that axis of the grid is NaN, and so is everything
 * computed from it. Nothing throws; callers that can meet such sizes must reject them.
 */
public final class KeypointOps {
    private KeypointOps() {
    }

    /** Coordinate grid (h, w, 2): grid[i][j] = (2j/(w-1) - 1, 2i/(h-1) - 1). */
    public static Tensor coordinateGrid(int h, int w) {
        double[] xs = axis(w);
        double[] ys = axis(h);
        Tensor t = Tensor.zeros(h, w, 2);
        float[] d = t.data();
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                d[(i * w + j) * 2] = (float) xs[j];
                d[(i * w + j) * 2 + 1] = (float) ys[i];
            }
        }
        return t;
    }

    /** 2 * (i / (n - 1)) - 1 for i in [0, n): NaN for n == 1 as in PyTorch. */
    static double[] axis(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("coordinate grid size must be positive, got " + n);
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = 2 * ((double) i / (n - 1)) - 1;
        }
        return a;
    }

    /**
     * kp (mean (B, D, K, 2), var per {@code variance}) -> gaussians (B, D, K, h, w). With the Vector
     * API (see {@link VectorOps}) the exponent is evaluated per row as a float quadratic in dx whose
     * coefficients are computed in double, and exponentiated by {@link VectorMath#exp}; else in double
     * throughout with Math.exp (the reference).
     */
    public static Tensor kp2gaussian(Keypoints kp, int h, int w, KpVariance variance) {
        Tensor mean = requireMean(kp, variance);
        Tensor out = Tensor.zeros(mean.dim(0), mean.dim(1), mean.dim(2), h, w);
        kp2gaussian(kp, h, w, variance, out.data());
        return out;
    }

    /** kp's mean, checked to be (B, D, K, 2), with kp and variance not null. */
    private static Tensor requireMean(Keypoints kp, KpVariance variance) {
        if (kp == null || variance == null) {
            throw new IllegalArgumentException("kp2gaussian: keypoints and variance kind must not be null");
        }
        Tensor mean = kp.mean();
        Shapes.requireRank("kp2gaussian", "mean", mean, 4);
        if (mean.dim(3) != 2) {
            throw new IllegalArgumentException("kp2gaussian: mean must be (B, D, K, 2), got " + mean.shapeString());
        }
        return mean;
    }

    /**
     * {@link #kp2gaussian(Keypoints, int, int, KpVariance)} into {@code o} (at least B * D * K * h * w
     * floats, the maps from index 0), so that a model's frames do not allocate their heatmaps.
     */
    public static void kp2gaussian(Keypoints kp, int h, int w, KpVariance variance, float[] o) {
        Tensor mean = requireMean(kp, variance);
        int b = mean.dim(0);
        int d = mean.dim(1);
        int k = mean.dim(2);
        int maps = b * d * k;
        float[] var = null;
        switch (variance.kind()) {
            case MATRIX -> {
                requireVar(kp, "kp2gaussian", b, d, k, 2);
                var = kp.var().data();
            }
            case SINGLE -> {
                requireVar(kp, "kp2gaussian", b, d, k, 1);
                var = kp.var().data();
            }
            case CONSTANT -> {
            }
        }
        double[] xs = axis(w);
        double[] ys = axis(h);
        float[] m = mean.data();
        float[] v = var;
        int hw = h * w;
        if (o.length < (long) maps * hw) {
            throw new IllegalArgumentException("kp2gaussian: " + maps + " maps of " + h + " x " + w + " do not fit in "
                    + o.length + " floats");
        }
        boolean vector = VectorOps.on();
        // The grid's x as a float pair (hi + lo == xs to about 2^-48) for the vector rows.
        float[] xHi = new float[vector ? w : 0];
        float[] xLo = new float[vector ? w : 0];
        for (int j = 0; j < xHi.length; j++) {
            xHi[j] = (float) xs[j];
            xLo[j] = (float) (xs[j] - xHi[j]);
        }
        Parallel.forRange(maps, (vector ? 10L : 30L) * hw, map -> {
            double mx = m[map * 2];
            double my = m[map * 2 + 1];
            // The exponent is -0.5 * (qxx dx^2 + (qxy + qyx) dx dy + qyy dy^2) with Q the inverse variance.
            double qxx;
            double qxy;
            double qyx;
            double qyy;
            switch (variance.kind()) {
                case MATRIX -> {
                    double a = v[map * 4];
                    double bb = v[map * 4 + 1];
                    double c = v[map * 4 + 2];
                    double dd = v[map * 4 + 3];
                    double det = a * dd - bb * c;
                    qxx = dd / det;
                    qxy = -bb / det;
                    qyx = -c / det;
                    qyy = a / det;
                }
                case SINGLE -> {
                    qxx = 1.0 / v[map];
                    qyy = qxx;
                    qxy = 0;
                    qyx = 0;
                }
                default -> {
                    qxx = 1.0 / variance.constant();
                    qyy = qxx;
                    qxy = 0;
                    qyx = 0;
                }
            }
            int base = map * hw;
            if (vector) {
                // -0.5 q = (a dx + b) dx + c per row, a, b, c in double and then rounded once
                float a = (float) (-0.5 * qxx);
                float mxf = (float) mx;
                for (int i = 0; i < h; i++) {
                    double dy = ys[i] - my;
                    VectorMath.gaussianRow(o, base + i * w, w, xHi, xLo, mxf, a, (float) (-0.5 * (qxy + qyx) * dy),
                            (float) (-0.5 * qyy * dy * dy));
                }
                return;
            }
            for (int i = 0; i < h; i++) {
                double dy = ys[i] - my;
                for (int j = 0; j < w; j++) {
                    double dx = xs[j] - mx;
                    double q = dx * (qxx * dx + qxy * dy) + dy * (qyx * dx + qyy * dy);
                    o[base + i * w + j] = (float) Math.exp(-0.5 * q);
                }
            }
        });
    }

    /**
     * The movement embedding's heatmaps: {@link #kp2gaussian}, each map divided by its sum (or by
     * {@code normConst} when given).
     */
    public static Tensor normalizedHeatmaps(Keypoints kp, int h, int w, KpVariance variance, Double normConst) {
        Tensor heat = kp2gaussian(kp, h, w, variance);
        normalize(heat.data(), heat.numel(), h * w, normConst);
        return heat;
    }

    /**
     * {@link #normalizedHeatmaps(Keypoints, int, int, KpVariance, Double)} into {@code x}, which is
     * grown when it is shorter than the maps (B * D * K * h * w floats); returns the array written.
     */
    public static float[] normalizedHeatmaps(Keypoints kp, int h, int w, KpVariance variance, Double normConst,
                                             float[] x) {
        Tensor mean = requireMean(kp, variance);
        long n = (long) mean.dim(0) * mean.dim(1) * mean.dim(2) * h * w;
        float[] into = x != null && x.length >= n ? x : new float[Math.toIntExact(n)];
        kp2gaussian(kp, h, w, variance, into);
        normalize(into, (int) n, h * w, normConst);
        return into;
    }

    private static void normalize(float[] x, int n, int plane, Double normConst) {
        for (int start = 0; start < n; start += plane) {
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
    }

    private static void requireVar(Keypoints kp, String op, int b, int d, int k, int side) {
        Tensor var = kp.var();
        if (var == null || !var.hasShape(b, d, k, side, side)) {
            throw new IllegalArgumentException(op + ": variance must have shape " + Shapes.str(b, d, k, side, side)
                    + " for mean " + kp.mean().shapeString() + ", got " + (var == null ? "none" : var.shapeString()));
        }
    }

    /**
     * heat (B, K, D, h, w), each map a softmax -> keypoints with mean (B, D, K, 2) and var
     * (B, D, K, 2, 2) for matrix, (B, D, K, 1, 1) for single, null for a constant variance.
     * {@code clipVariance} is null when not set.
     */
    public static Keypoints gaussian2kp(Tensor heat, KpVariance variance, Double clipVariance) {
        Shapes.requireRank("gaussian2kp", "heatmap", heat, 5);
        if (variance == null) {
            throw new IllegalArgumentException("gaussian2kp: variance kind must not be null");
        }
        int b = heat.dim(0);
        int k = heat.dim(1);
        int d = heat.dim(2);
        int h = heat.dim(3);
        int w = heat.dim(4);
        Tensor mean = Tensor.zeros(b, d, k, 2);
        Tensor var = switch (variance.kind()) {
            case MATRIX -> Tensor.zeros(b, d, k, 2, 2);
            case SINGLE -> Tensor.zeros(b, d, k, 1, 1);
            case CONSTANT -> null;
        };
        gaussian2kp(heat.data(), 0, b, k, d, h, w, variance, clipVariance, mean.data(), 0,
                var == null ? null : var.data(), 0);
        return new Keypoints(mean, var);
    }

    /**
     * {@link #gaussian2kp(Tensor, KpVariance, Double)} on raw memory: heat (b, k, d, h, w) at
     * p[pOff], means (b, d, k, 2) to mo[moOff], variances (per {@code variance}; vo unused for a
     * constant) to vo[voOff].
     */
    public static void gaussian2kp(float[] p, int pOff, int b, int k, int d, int h, int w, KpVariance variance,
                                   Double clipVariance, float[] mo, int moOff, float[] vo, int voOff) {
        int hw = h * w;
        double[] xs = axis(w);
        double[] ys = axis(h);
        boolean single = variance.kind() == KpVariance.Kind.SINGLE;
        double clip = clipVariance == null ? Double.NaN : clipVariance;
        Parallel.forRange(b * k * d, 12L * hw, map -> {
            int bi = map / (k * d);
            int ki = (map / d) % k;
            int di = map % d;
            int base = pOff + map * hw;
            // Monkey-Net adds 1e-7 to every heat value and never renormalises: the moments below
            // are plain sums over the pixels, in double so 4096-pixel sums stay exact to float.
            double sx = 0;
            double sy = 0;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double q = (double) p[base + i * w + j] + 1e-7;
                    sx += q * xs[j];
                    sy += q * ys[i];
                }
            }
            int out = (bi * d + di) * k + ki;
            mo[moOff + out * 2] = (float) sx;
            mo[moOff + out * 2 + 1] = (float) sy;
            if (vo == null) {
                return;
            }
            double vxx = 0;
            double vxy = 0;
            double vyy = 0;
            for (int i = 0; i < h; i++) {
                double dy = ys[i] - sy;
                for (int j = 0; j < w; j++) {
                    double q = (double) p[base + i * w + j] + 1e-7;
                    double dx = xs[j] - sx;
                    vxx += q * dx * dx;
                    vxy += q * dx * dy;
                    vyy += q * dy * dy;
                }
            }
            if (single) {
                vo[voOff + out] = (float) ((vxx + vyy) / 2);
                return;
            }
            if (!Double.isNaN(clip)) {
                double s = smallestSingular(vxx, vxy, vxy, vyy);
                double f = Math.max(clip, s) / s;
                vxx *= f;
                vxy *= f;
                vyy *= f;
            }
            vo[voOff + out * 4] = (float) vxx;
            vo[voOff + out * 4 + 1] = (float) vxy;
            vo[voOff + out * 4 + 2] = (float) vxy;
            vo[voOff + out * 4 + 3] = (float) vyy;
        });
    }

    /**
     * Smallest singular value of [[a, b], [c, d]]. Monkey-Net's closed form sqrt((s1 - s2) / 2)
     * cancels catastrophically for nearly isotropic matrices; |det| / largest singular value is the
     * same number computed without the cancellation.
     */
    static double smallestSingular(double a, double b, double c, double d) {
        double s1 = a * a + b * b + c * c + d * d;
        double t = a * a + b * b - c * c - d * d;
        double u = a * c + b * d;
        double s2 = Math.sqrt(t * t + 4 * u * u);
        double largest = Math.sqrt((s1 + s2) / 2);
        return Math.abs(a * d - b * c) / largest;
    }
}
