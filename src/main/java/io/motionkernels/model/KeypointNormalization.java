package io.motionkernels.model;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The transfer step's keypoint normalisation (transfer_params.normalization_params): adapts the
 * driving keypoints to the source, relative to the first driving frame.
 */
public final class KeypointNormalization {
    private KeypointNormalization() {
    }

    /**
     * Adapts driving keypoints to the source.
     *
     * @param driving the driving keypoints (B, D, K, ...)
     * @param first   the first driving frame's keypoints (B, 1, K, ...), the reference for motion
     * @param source  the source's keypoints (B, 1, K, ...)
     * @param n       what to adapt (the configuration's {@code normalization_params})
     * @return the normalised driving keypoints (B, D, K, ...)
     * @throws io.motionkernels.MotionKernelsException if {@code movement_mult} is on and the source's or
     *         the first driving frame's keypoints are collinear
     */
    public static Keypoints normalize(Keypoints driving, Keypoints first, Keypoints source,
                                      ModelConfig.Normalization n) {
        int b = driving.batch();
        int d = driving.frames();
        int k = driving.count();
        float[] mean = driving.mean().data().clone();
        if (n.moveLocation()) {
            float[] fm = first.mean().data();
            float[] sm = source.mean().data();
            for (int bi = 0; bi < b; bi++) {
                double mult = n.movementMult() ? movementMultiplier(source, first, bi) : 1;
                for (int di = 0; di < d; di++) {
                    for (int i = 0; i < k * 2; i++) {
                        int o = (bi * d + di) * k * 2 + i;
                        float diff = mean[o] - fm[bi * k * 2 + i];
                        diff = (float) (diff * mult);
                        mean[o] = diff + sm[bi * k * 2 + i];
                    }
                }
            }
        }
        if (n.clipMean()) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] = Math.max(-1f, Math.min(1f, mean[i]));
            }
        }
        Tensor var = driving.var();
        if (n.adaptVariance() && var != null) {
            var = adaptVariance(var, first.var(), source.var());
        }
        return new Keypoints(Tensor.of(mean, driving.mean().shape()), var);
    }

    /** sqrt(area(hull(source))) / sqrt(area(hull(first driving))) for batch item {@code bi}. */
    static double movementMultiplier(Keypoints source, Keypoints first, int bi) {
        double a = hullArea(source.mean(), bi);
        double v = hullArea(first.mean(), bi);
        if (!(a > 0) || !(v > 0)) {
            throw new MotionKernelsException("movement_mult needs keypoints that span an area, but the "
                    + (a > 0 ? "first driving frame's" : "source's") + " keypoints are collinear: "
                    + "turn movement_mult off for this input");
        }
        return Math.sqrt(a) / Math.sqrt(v);
    }

    /** Area of the convex hull of the keypoints of frame 0 of batch item bi (monotone chain). */
    static double hullArea(Tensor mean, int bi) {
        int k = mean.dim(2);
        double[][] pts = new double[k][];
        float[] m = mean.data();
        int base = bi * mean.dim(1) * k * 2;
        for (int i = 0; i < k; i++) {
            pts[i] = new double[]{m[base + 2 * i], m[base + 2 * i + 1]};
        }
        Arrays.sort(pts, (p, q) -> p[0] != q[0] ? Double.compare(p[0], q[0]) : Double.compare(p[1], q[1]));
        List<double[]> hull = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            int start = hull.size();
            for (int j = 0; j < k; j++) {
                double[] p = pts[pass == 0 ? j : k - 1 - j];
                while (hull.size() >= start + 2 && cross(hull.get(hull.size() - 2), hull.get(hull.size() - 1), p) <= 0) {
                    hull.remove(hull.size() - 1);
                }
                hull.add(p);
            }
            hull.remove(hull.size() - 1);
        }
        double area = 0;
        for (int i = 0; i < hull.size(); i++) {
            double[] p = hull.get(i);
            double[] q = hull.get((i + 1) % hull.size());
            area += p[0] * q[1] - q[0] * p[1];
        }
        return Math.abs(area) / 2;
    }

    private static double cross(double[] o, double[] a, double[] b) {
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    }

    /** var = sym(var_d · var_first⁻¹ · var_s) per keypoint, for 2x2 (matrix) or 1x1 (single) variances. */
    static Tensor adaptVariance(Tensor var, Tensor first, Tensor source) {
        int b = var.dim(0);
        int d = var.dim(1);
        int k = var.dim(2);
        int n = var.dim(3);
        float[] v = var.data();
        float[] f = first.data();
        float[] s = source.data();
        float[] out = new float[v.length];
        int sz = n * n;
        for (int bi = 0; bi < b; bi++) {
            for (int di = 0; di < d; di++) {
                for (int ki = 0; ki < k; ki++) {
                    int o = ((bi * d + di) * k + ki) * sz;
                    int r = (bi * k + ki) * sz;
                    if (n == 1) {
                        double x = (double) v[o] / f[r] * s[r];
                        out[o] = (float) (x <= 0 ? 1e-6 : x);
                        continue;
                    }
                    double a = f[r];
                    double bb = f[r + 1];
                    double c = f[r + 2];
                    double dd = f[r + 3];
                    double det = a * dd - bb * c;
                    double[] inv = {dd / det, -bb / det, -c / det, a / det};
                    double[] m = mul(mul(new double[]{v[o], v[o + 1], v[o + 2], v[o + 3]}, inv),
                            new double[]{s[r], s[r + 1], s[r + 2], s[r + 3]});
                    double[] sym = symmetricPositive(m);
                    for (int i = 0; i < 4; i++) {
                        out[o + i] = (float) sym[i];
                    }
                }
            }
        }
        return Tensor.of(out, var.shape());
    }

    private static double[] mul(double[] x, double[] y) {
        return new double[]{x[0] * y[0] + x[1] * y[2], x[0] * y[1] + x[1] * y[3],
                x[2] * y[0] + x[3] * y[2], x[2] * y[1] + x[3] * y[3]};
    }

    /** The symmetric part of m with eigenvalues ≤ 0 raised to 1e-6. */
    static double[] symmetricPositive(double[] m) {
        double a = m[0];
        double bb = (m[1] + m[2]) / 2;
        double c = m[3];
        double mean = (a + c) / 2;
        double rad = Math.sqrt(((a - c) / 2) * ((a - c) / 2) + bb * bb);
        double l1 = mean + rad;
        double l2 = mean - rad;
        double[] u1;
        if (bb != 0) {
            u1 = new double[]{l1 - c, bb};
        } else {
            u1 = a >= c ? new double[]{1, 0} : new double[]{0, 1};
        }
        double norm = Math.hypot(u1[0], u1[1]);
        u1[0] /= norm;
        u1[1] /= norm;
        double[] u2 = {-u1[1], u1[0]};
        l1 = l1 <= 0 ? 1e-6 : l1;
        l2 = l2 <= 0 ? 1e-6 : l2;
        return new double[]{
                l1 * u1[0] * u1[0] + l2 * u2[0] * u2[0], l1 * u1[0] * u1[1] + l2 * u2[0] * u2[1],
                l1 * u1[1] * u1[0] + l2 * u2[1] * u2[0], l1 * u1[1] * u1[1] + l2 * u2[1] * u2[1]};
    }
}
