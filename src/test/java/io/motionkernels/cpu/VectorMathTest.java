package io.motionkernels.cpu;

import io.motionkernels.engine.Padding;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Vector API forms of exp, the softmaxes, kp2gaussian and grid_sample against the portable
 * scalar forms (Math.exp in double; double index arithmetic), which are the reference: random
 * inputs, odd sizes (vector tails), extreme inputs. The surefire run with -XX:MaxVectorSize=16
 * repeats this class with 4-lane vectors.
 */
class VectorMathTest {
    private boolean previous;

    @BeforeEach
    void requireVector() {
        assertTrue(VectorOps.AVAILABLE, "the tests run with --add-modules jdk.incubator.vector");
        previous = VectorOps.use(true);
    }

    @AfterEach
    void restore() {
        VectorOps.use(previous);
    }

    private static <T> T scalar(Supplier<T> f) {
        boolean was = VectorOps.use(false);
        try {
            return f.get();
        } finally {
            VectorOps.use(was);
        }
    }

    /** Ulps of the float result y against the exact value e (in double); subnormal results in subnormal steps. */
    private static double ulps(float y, double e) {
        return Math.abs(y - e) / Math.max(Math.ulp((float) e), Float.MIN_VALUE);
    }

    private static float[] vectorExp(float[] x) {
        float[] y = new float[x.length];
        int v = VectorMath.V;
        int i = 0;
        for (; i + v <= x.length; i += v) {
            VectorMath.exp(FloatVector.fromArray(VectorMath.S, x, i)).intoArray(y, i);
        }
        for (; i < x.length; i++) {
            y[i] = VectorMath.expf(x[i]);
        }
        return y;
    }

    private static double worstUlps(float[] x) {
        float[] y = vectorExp(x);
        float[] inPlace = x.clone();
        int whole = x.length - x.length % VectorMath.V;
        double sum = VectorMath.expInPlace(inPlace, 0, whole);
        double expected = 0;
        for (int i = 0; i < whole; i++) {
            if (Float.floatToRawIntBits(inPlace[i]) != Float.floatToRawIntBits(y[i])) {
                fail("expInPlace and exp differ at " + x[i] + ": " + inPlace[i] + " and " + y[i]);
            }
            expected += y[i];
        }
        assertTrue(Math.abs(sum - expected) <= 1e-5 * expected || Double.isInfinite(expected), sum + " vs " + expected);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            if (Float.isInfinite((float) Math.exp(x[i]))) {
                assertEquals(Float.POSITIVE_INFINITY, y[i], "exp(" + x[i] + ")");
                continue;
            }
            double u = ulps(y[i], Math.exp(x[i]));
            if (!(u <= VectorMath.EXP_MAX_ULPS)) {
                fail("exp(" + x[i] + ") = " + y[i] + ", Math.exp " + Math.exp(x[i]) + ": " + u + " ulps");
            }
            if (y[i] != VectorMath.expf(x[i])) {
                fail("vector and scalar exp differ at " + x[i] + ": " + y[i] + " and " + VectorMath.expf(x[i]));
            }
            worst = Math.max(worst, u);
        }
        return worst;
    }

    @Test
    void expIsWithinItsStatedBoundOverTheWholeFloatRange() {
        int n = 1 << 24;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -104f + 193f * i / (n - 1);
        }
        double spread = worstUlps(x);
        // every float of [-1, 1), where the polynomial alone decides the error: 2^23 per binade
        // from 2^-1 down, and a sample of the smaller ones
        float[] unit = new float[1 << 24];
        for (int i = 0; i < 1 << 23; i++) {
            unit[2 * i] = 0.5f + i * 0x1p-24f;
            unit[2 * i + 1] = -0.5f - i * 0x1p-24f;
        }
        double near = worstUlps(unit);
        Random r = new Random(1);
        float[] small = new float[1 << 20];
        for (int i = 0; i < small.length; i++) {
            small[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.scalb(1 + r.nextDouble(), -2 - r.nextInt(40)));
        }
        double tiny = worstUlps(small);
        // the bound is not slack: a poorer polynomial or a wrong reduction shows up as > 1 ulp
        assertTrue(Math.max(spread, Math.max(near, tiny)) > 0.5);
    }

    @Test
    void expEdges() {
        float[] x = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1e30f, 1e30f, 0f, -0f,
            88.72283f, 88.7229f, 89f, -87.33655f, -100f, -103.9f, -103.98f, -104f, -200f, Float.MIN_VALUE};
        float[] y = vectorExp(x);
        assertTrue(Float.isNaN(y[0]));
        assertEquals(0f, y[1]);
        assertEquals(Float.POSITIVE_INFINITY, y[2]);
        assertEquals(0f, y[3]);
        assertEquals(Float.POSITIVE_INFINITY, y[4]);
        assertEquals(1f, y[5]);
        assertEquals(1f, y[6]);
        for (int i = 7; i < x.length; i++) {
            assertTrue(ulps(y[i], Math.exp(x[i])) <= VectorMath.EXP_MAX_ULPS || (float) Math.exp(x[i]) == y[i],
                    "exp(" + x[i] + ") = " + y[i] + ", Math.exp " + (float) Math.exp(x[i]));
        }
        assertEquals(Float.POSITIVE_INFINITY, y[8]);
        assertEquals(0f, y[13]);
    }

    static Tensor gaussian(long seed, float scale, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) (scale * r.nextGaussian());
        }
        return t;
    }

    /**
     * |v - ref| within a relative 1e-6 (the exp's ulps, the float sum, the last scaling) plus
     * 2^-21 per unit of the exponent (its float rounding, which the exp magnifies by the exponent),
     * or both below 1e-37 (the exps underflowed).
     */
    private static void assertExpClose(String what, float[] v, float[] ref, double[] arg) {
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(ref[i]) || Float.isNaN(v[i])) {
                assertTrue(Float.isNaN(ref[i]) && Float.isNaN(v[i]), what + " at " + i + ": " + v[i] + " vs " + ref[i]);
                continue;
            }
            if (v[i] == ref[i]) {
                continue;
            }
            double tol = ref[i] * (1e-6 + Math.abs(arg[i]) * 0x1p-21) + 1e-37;
            if (!(Math.abs(v[i] - ref[i]) <= tol)) {
                fail(what + " at " + i + ": " + v[i] + " vs " + ref[i] + " (exponent " + arg[i] + ")");
            }
        }
    }

    /** The exponent of each output of overPixels, (x - max) / T. */
    private static double[] pixelExponents(Tensor x, double t) {
        int hw = x.dim(3) * x.dim(4);
        double[] a = new double[x.numel()];
        for (int p = 0; p < x.numel() / hw; p++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < hw; i++) {
                max = Math.max(max, x.data()[p * hw + i]);
            }
            for (int i = 0; i < hw; i++) {
                a[p * hw + i] = (x.data()[p * hw + i] - max) / t;
            }
        }
        return a;
    }

    @Test
    void softmaxOverPixelsMatchesTheScalarForm() {
        int[][] sizes = {{1, 1}, {1, 3}, {5, 7}, {17, 1}, {31, 33}, {64, 64}, {65, 63}, {3, 341}};
        long seed = 10;
        for (int[] hw : sizes) {
            for (float scale : new float[] {1f, 30f, 1e4f}) {
                for (double t : new double[] {0.1, 1, 3.7}) {
                    Tensor x = gaussian(seed++, scale, 2, 3, 1, hw[0], hw[1]);
                    Tensor v = Softmax.overPixels(x, t);
                    Tensor ref = scalar(() -> Softmax.overPixels(x, t));
                    assertExpClose("softmax " + hw[0] + "x" + hw[1] + " scale " + scale + " T " + t,
                            v.data(), ref.data(), pixelExponents(x, t));
                }
            }
        }
    }

    @Test
    void softmaxOverPixelsExtremes() {
        float big = 3e38f;
        float[][] planes = {
            {big, big, big, big, big},                          // equal huge logits: uniform
            {-big, big, 0f, -big, 1f},                          // differences overflow to -inf: one-hot
            {Float.NEGATIVE_INFINITY, 0f, 1f, Float.NEGATIVE_INFINITY, 2f},
            {0f, Float.NaN, 1f, 2f, 3f},                        // NaN spreads to the plane, as in PyTorch
            {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.NEGATIVE_INFINITY},
            {-1e6f, -1e6f + 1, -1e6f + 2, -1e6f + 90, -1e6f + 200},  // a large negative offset, gaps beyond exp's range
        };
        for (int i = 0; i < planes.length; i++) {
            for (double t : new double[] {1, 0.01, 1e-30}) {
                Tensor x = Tensor.of(planes[i].clone(), 1, 1, 1, 1, 5);
                Tensor v = Softmax.overPixels(x, t);
                Tensor ref = scalar(() -> Softmax.overPixels(x, t));
                assertExpClose("plane " + i + " T " + t, v.data(), ref.data(), pixelExponents(x, t));
            }
        }
        Tensor uniform = Softmax.overPixels(Tensor.of(planes[0].clone(), 1, 1, 1, 1, 5), 1);
        for (float f : uniform.data()) {
            assertEquals(0.2f, f, 1e-7f);
        }
    }

    @Test
    void softmaxOverChannelsMatchesTheScalarForm() {
        long seed = 40;
        for (int channels : new int[] {1, 2, 11}) {
            for (int inner : new int[] {1, 5, 17, 1023, 1030, 4100}) {
                for (float scale : new float[] {1f, 100f}) {
                    int cin = channels + 2;
                    Tensor x = gaussian(seed++, scale, 2, cin, 1, 1, inner);
                    Tensor v = Softmax.overChannels(x, channels);
                    Tensor ref = scalar(() -> Softmax.overChannels(x, channels));
                    double[] arg = new double[v.numel()];
                    for (int b = 0; b < 2; b++) {
                        for (int p = 0; p < inner; p++) {
                            double max = Double.NEGATIVE_INFINITY;
                            for (int k = 0; k < channels; k++) {
                                max = Math.max(max, x.data()[(b * cin + k) * inner + p]);
                            }
                            for (int k = 0; k < channels; k++) {
                                arg[(b * channels + k) * inner + p] = x.data()[(b * cin + k) * inner + p] - max;
                            }
                        }
                    }
                    assertExpClose("channel softmax " + channels + " of " + cin + " x " + inner + " scale " + scale,
                            v.data(), ref.data(), arg);
                }
            }
        }
        Tensor nan = Tensor.of(new float[] {0f, Float.NaN, 1f, 2f}, 1, 2, 1, 1, 2);
        Tensor s = Softmax.overChannels(nan, 2);
        assertTrue(Float.isNaN(s.data()[1]) && Float.isNaN(s.data()[3]) && !Float.isNaN(s.data()[0]));
    }

    /** Means in [-1.3, 1.3] and variances per kind; matrix ones positive definite unless {@code indefinite}. */
    private static Keypoints keypoints(long seed, int k, KpVariance kind, double varScale, boolean indefinite) {
        Random r = new Random(seed);
        Tensor mean = Tensor.zeros(1, 2, k, 2);
        for (int i = 0; i < mean.numel(); i++) {
            mean.data()[i] = (float) (2.6 * r.nextDouble() - 1.3);
        }
        Tensor var = switch (kind.kind()) {
            case MATRIX -> Tensor.zeros(1, 2, k, 2, 2);
            case SINGLE -> Tensor.zeros(1, 2, k, 1, 1);
            case CONSTANT -> null;
        };
        if (var != null) {
            float[] v = var.data();
            for (int m = 0; m < 2 * k; m++) {
                double a = varScale * (0.2 + r.nextDouble());
                if (kind.kind() == KpVariance.Kind.SINGLE) {
                    v[m] = (float) a;
                    continue;
                }
                double d = varScale * (0.2 + r.nextDouble());
                double rho = indefinite ? 1.5 + r.nextDouble() : 1.8 * r.nextDouble() - 0.9;
                float b = (float) (rho * Math.sqrt(a * d));
                v[4 * m] = (float) a;
                v[4 * m + 1] = b;
                v[4 * m + 2] = b;
                v[4 * m + 3] = (float) d;
            }
        }
        return new Keypoints(mean, var);
    }

    /**
     * Per output of kp2gaussian, the sum of the exponent's terms' magnitudes,
     * 0.5 (|qxx| dx^2 + |qxy + qyx| |dx dy| + |qyy| dy^2): float rounding perturbs the exponent by a
     * few ulps of this (for a positive definite variance it is about |exponent|; an indefinite
     * one cancels large terms).
     */
    private static double[] termMagnitudes(Keypoints kp, int h, int w, KpVariance kind) {
        double[] xs = KeypointOps.axis(w);
        double[] ys = KeypointOps.axis(h);
        float[] m = kp.mean().data();
        int maps = m.length / 2;
        double[] a = new double[maps * h * w];
        for (int map = 0; map < maps; map++) {
            double qxx;
            double qc;
            double qyy;
            if (kind.kind() == KpVariance.Kind.MATRIX) {
                float[] v = kp.var().data();
                double det = (double) v[4 * map] * v[4 * map + 3] - (double) v[4 * map + 1] * v[4 * map + 2];
                qxx = v[4 * map + 3] / det;
                qyy = v[4 * map] / det;
                qc = -(v[4 * map + 1] + v[4 * map + 2]) / det;
            } else {
                qxx = 1 / (kind.kind() == KpVariance.Kind.SINGLE ? kp.var().data()[map] : kind.constant());
                qyy = qxx;
                qc = 0;
            }
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double dx = xs[j] - m[2 * map];
                    double dy = ys[i] - m[2 * map + 1];
                    a[(map * h + i) * w + j] = 0.5 * (Math.abs(qxx) * dx * dx + Math.abs(qc * dx * dy) + Math.abs(qyy) * dy * dy);
                }
            }
        }
        return a;
    }

    @Test
    void kp2gaussianMatchesTheScalarForm() {
        int[][] sizes = {{1, 1}, {2, 2}, {5, 7}, {33, 17}, {64, 64}, {7, 131}};
        long seed = 70;
        for (int[] hw : sizes) {
            for (KpVariance kind : new KpVariance[] {KpVariance.MATRIX, KpVariance.SINGLE,
                KpVariance.constant(0.01)}) {
                for (double varScale : new double[] {0.0005, 0.01, 3}) {
                    Keypoints kp = keypoints(seed++, 3, kind, varScale, false);
                    Tensor v = KeypointOps.kp2gaussian(kp, hw[0], hw[1], kind);
                    Tensor ref = scalar(() -> KeypointOps.kp2gaussian(kp, hw[0], hw[1], kind));
                    assertExpClose("kp2gaussian " + hw[0] + "x" + hw[1] + " " + kind + " var " + varScale,
                            v.data(), ref.data(), termMagnitudes(kp, hw[0], hw[1], kind));
                }
            }
        }
        // an indefinite variance makes some exponents positive: large values and overflow, as in the scalar form
        Keypoints bad = keypoints(99, 4, KpVariance.MATRIX, 0.002, true);
        Tensor v = KeypointOps.kp2gaussian(bad, 37, 41, KpVariance.MATRIX);
        Tensor ref = scalar(() -> KeypointOps.kp2gaussian(bad, 37, 41, KpVariance.MATRIX));
        boolean above = false;
        double[] terms = termMagnitudes(bad, 37, 41, KpVariance.MATRIX);
        for (int i = 0; i < v.numel(); i++) {
            above |= ref.data()[i] > 1e10f;
            if (ref.data()[i] > 1e37f) {
                // the perturbed exponent may cross float's overflow point
                assertTrue(v.data()[i] > 1e36f, i + ": " + v.data()[i] + " vs " + ref.data()[i]);
                terms[i] = 0;
                v.data()[i] = ref.data()[i];
            }
        }
        assertTrue(above, "the indefinite case reaches large values");
        assertExpClose("kp2gaussian, indefinite variance", v.data(), ref.data(), terms);
    }

    /** Grid coordinates mostly in [-1.3, 1.3], with some exactly on the corners and some NaN, infinite or huge. */
    private static Tensor grid(long seed, int coords, int n, int... spatial) {
        Random r = new Random(seed);
        int[] shape = new int[spatial.length + 2];
        shape[0] = n;
        System.arraycopy(spatial, 0, shape, 1, spatial.length);
        shape[shape.length - 1] = coords;
        Tensor g = Tensor.zeros(shape);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, -1f, 1f, 0f,
            -1.0000001f, 1.0000001f, 3e9f};
        for (int i = 0; i < g.numel(); i++) {
            g.data()[i] = r.nextInt(50) == 0 ? special[r.nextInt(special.length)] : (float) (2.6 * r.nextDouble() - 1.3);
        }
        return g;
    }

    private static void assertGridClose(String what, Tensor in, Tensor v, Tensor ref, int size) {
        float maxAbs = 0;
        for (float f : in.data()) {
            maxAbs = Math.max(maxAbs, Math.abs(f));
        }
        // float index arithmetic: the index is off by a few ulps of the size, each corner's weight by as much
        double tol = maxAbs * (8.0 * size * 0x1p-24 + 1e-6);
        for (int i = 0; i < v.numel(); i++) {
            if (!(Math.abs(v.data()[i] - ref.data()[i]) <= tol)) {
                fail(what + " at " + i + ": " + v.data()[i] + " vs " + ref.data()[i] + " (tolerance " + tol + ")");
            }
        }
    }

    @Test
    void gridSampleMatchesTheScalarForm() {
        int[][] inSizes = {{1, 1}, {1, 5}, {4, 6}, {17, 13}, {64, 64}, {255, 257}};
        int[][] outSizes = {{1, 1}, {3, 5}, {33, 65}, {45, 46}};
        long seed = 100;
        for (int[] hw : inSizes) {
            for (int[] o : outSizes) {
                for (boolean ac : new boolean[] {true, false}) {
                    for (int c : new int[] {1, 3, 37}) {
                        int size = Math.max(hw[0], hw[1]);
                        Tensor in2 = gaussian(seed++, 1f, 2, c, hw[0], hw[1]);
                        Tensor g2 = grid(seed++, 2, 2, o[0], o[1]);
                        Tensor v2 = GridSample.sample(in2, g2, Padding.ZEROS, ac);
                        Tensor r2 = scalar(() -> GridSample.sample(in2, g2, Padding.ZEROS, ac));
                        assertGridClose("2-D " + hw[0] + "x" + hw[1] + " -> " + o[0] + "x" + o[1] + " ac " + ac, in2, v2,
                                r2, size);
                        Tensor in3 = gaussian(seed++, 1f, 2, c, 1, hw[0], hw[1]);
                        Tensor g3 = grid(seed++, 3, 2, 2, o[0], o[1]);
                        Tensor v3 = GridSample.sample(in3, g3, Padding.ZEROS, ac);
                        Tensor r3 = scalar(() -> GridSample.sample(in3, g3, Padding.ZEROS, ac));
                        assertGridClose("depth 1 " + hw[0] + "x" + hw[1] + " -> 2x" + o[0] + "x" + o[1] + " ac " + ac, in3,
                                v3, r3, size);
                    }
                }
            }
        }
    }

    @Test
    void gridSampleOutOfRangeCoordinatesGiveZero() {
        Tensor in = gaussian(5, 1f, 1, 2, 1, 9, 11);
        float[] coords = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, 2.5f, -2.5f, 3e9f,
            -3e9f};
        // every point of the grid has one coordinate far out of range (z as well: depth weight 0)
        int points = coords.length * 3;
        Tensor g = Tensor.zeros(1, 1, 1, points, 3);
        for (int i = 0; i < coords.length; i++) {
            for (int axis = 0; axis < 3; axis++) {
                int p = i * 3 + axis;
                g.data()[p * 3] = 0.3f;
                g.data()[p * 3 + 1] = -0.2f;
                g.data()[p * 3 + 2] = 0f;
                g.data()[p * 3 + axis] = coords[i];
            }
        }
        for (int form = 0; form < 4; form++) {
            boolean ac = form % 2 == 0;
            Tensor v = form < 2 ? GridSample.sample(in, g, Padding.ZEROS, ac)
                    : scalar(() -> GridSample.sample(in, g, Padding.ZEROS, ac));
            for (int ch = 0; ch < 2; ch++) {
                for (int p = 0; p < points; p++) {
                    float f = v.data()[ch * points + p];
                    boolean alignedZ = ac && p % 3 == 2 && Float.isFinite(coords[p / 3]);
                    if (!alignedZ) {
                        assertEquals(0f, f, 0f, "point " + p + " form " + form);
                    }
                }
            }
        }
    }
}
