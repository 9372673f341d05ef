package io.motionkernels.model;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.tensor.Tensor;

import java.util.Arrays;

/**
 * FOMM's {@code normalize_kp} (animate.py; FOMM.md "Transfer"): relative movement scaled by the
 * convex-hull movement scale, and the relative jacobian J_driving J_initial^-1 J_source. Host
 * arithmetic in double on a handful of numbers per frame.
 */
public final class FommNormalization {
    private FommNormalization() {
    }

    /**
     * sqrt(area(hull(source))) / sqrt(area(hull(initial))) over the keypoint values of batch
     * element 0, as FOMM computes it with scipy's ConvexHull; a degenerate hull (fewer than three
     * points not on one line) is an error, as it is there.
     *
     * @param source the source image's keypoints
     * @param initial the initial driving frame's keypoints
     * @return the movement scale
     * @throws MotionKernelsException if either set of keypoints has a degenerate hull
     */
    public static double movementScale(FommKeypoints source, FommKeypoints initial) {
        return Math.sqrt(hullArea(source.value(), "source")) / Math.sqrt(hullArea(initial.value(), "initial driving frame"));
    }

    /** Area of the convex hull of the K points of batch element 0 of values (B, K, 2) (monotone chain). */
    static double hullArea(Tensor values, String what) {
        int k = values.dim(1);
        float[] v = values.data();
        double[][] p = new double[k][];
        for (int i = 0; i < k; i++) {
            p[i] = new double[] {v[2 * i], v[2 * i + 1]};
        }
        Arrays.sort(p, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        double[][] hull = new double[2 * k][];
        int m = 0;
        for (int i = 0; i < k; i++) {
            while (m >= 2 && cross(hull[m - 2], hull[m - 1], p[i]) <= 0) {
                m--;
            }
            hull[m++] = p[i];
        }
        for (int i = k - 2, lower = m + 1; i >= 0; i--) {
            while (m >= lower && cross(hull[m - 2], hull[m - 1], p[i]) <= 0) {
                m--;
            }
            hull[m++] = p[i];
        }
        double area = 0;
        for (int i = 0; i + 1 < m; i++) {
            area += hull[i][0] * hull[i + 1][1] - hull[i + 1][0] * hull[i][1];
        }
        area = Math.abs(area) / 2;
        if (m < 4 || !(area > 0)) {
            throw new MotionKernelsException("cannot adapt the movement scale: the keypoints of the " + what
                    + " lie on a line (their convex hull has no area); animate without adapting the scale");
        }
        return area;
    }

    private static double cross(double[] o, double[] a, double[] b) {
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    }

    /**
     * The driving keypoints normalised against the initial frame's (both batch B) and the
     * source's (batch B, or 1 for every element), with the movement {@code scale}.
     * Without relative movement, {@code driving} itself is returned.
     *
     * @param source the source's keypoints, batch B or 1
     * @param driving the driving frames' keypoints, batch B
     * @param initial the initial driving frame's keypoints, batch B or 1
     * @param n what to normalise
     * @param scale the movement scale (see {@link #movementScale}; 1 to not adapt it)
     * @return keypoints (B, K, 2): source + (driving - initial) * scale, and jacobians (B, K, 2, 2),
     *         relative ones with {@code useRelativeJacobian}, else the driving ones
     * @throws MotionKernelsException if relative jacobians are asked for keypoints without jacobians
     */
    public static FommKeypoints normalize(FommKeypoints source, FommKeypoints driving, FommKeypoints initial,
                                          FommConfig.Normalization n, double scale) {
        if (!n.useRelativeMovement()) {
            return driving;
        }
        int b = driving.batch();
        int k = driving.count();
        float[] sv = source.value().data();
        float[] dv = driving.value().data();
        float[] iv = initial.value().data();
        float[] out = new float[b * k * 2];
        for (int bi = 0; bi < b; bi++) {
            int sb = source.batch() == 1 ? 0 : bi;
            int ib = initial.batch() == 1 ? 0 : bi;
            for (int i = 0; i < 2 * k; i++) {
                double diff = ((double) dv[bi * 2 * k + i] - iv[ib * 2 * k + i]) * scale;
                out[bi * 2 * k + i] = (float) (diff + sv[sb * 2 * k + i]);
            }
        }
        Tensor jac = driving.jacobian();
        if (n.useRelativeJacobian()) {
            if (driving.jacobian() == null || source.jacobian() == null || initial.jacobian() == null) {
                throw new MotionKernelsException("use_relative_jacobian needs keypoints with jacobians: set it to false"
                        + " for a configuration that does not estimate them");
            }
            float[] sj = source.jacobian().data();
            float[] dj = driving.jacobian().data();
            float[] ij = initial.jacobian().data();
            float[] o = new float[b * k * 4];
            for (int bi = 0; bi < b; bi++) {
                int sb = source.batch() == 1 ? 0 : bi;
                int ib = initial.batch() == 1 ? 0 : bi;
                for (int i = 0; i < k; i++) {
                    double[] d = mat(dj, (bi * k + i) * 4);
                    double[] inv = inverse(mat(ij, (ib * k + i) * 4));
                    double[] r = multiply(multiply(d, inv), mat(sj, (sb * k + i) * 4));
                    for (int e = 0; e < 4; e++) {
                        o[(bi * k + i) * 4 + e] = (float) r[e];
                    }
                }
            }
            jac = Tensor.of(o, b, k, 2, 2);
        }
        return new FommKeypoints(Tensor.of(out, b, k, 2), jac);
    }

    private static double[] mat(float[] a, int off) {
        return new double[] {a[off], a[off + 1], a[off + 2], a[off + 3]};
    }

    /** The closed-form 2x2 inverse [[d, -b], [-c, a]] / (ad - bc). */
    static double[] inverse(double[] m) {
        double det = m[0] * m[3] - m[1] * m[2];
        return new double[] {m[3] / det, -m[1] / det, -m[2] / det, m[0] / det};
    }

    static double[] multiply(double[] x, double[] y) {
        return new double[] {x[0] * y[0] + x[1] * y[2], x[0] * y[1] + x[1] * y[3], x[2] * y[0] + x[3] * y[2],
                x[2] * y[1] + x[3] * y[3]};
    }
}
