package io.motionkernels.cpu;

import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeypointOpsTest {
    static Keypoints kp(float[] mean, float[] var, int b, int d, int k, int side) {
        return new Keypoints(Tensor.of(mean, b, d, k, 2), var == null ? null : Tensor.of(var, b, d, k, side, side));
    }

    @Test
    void coordinateGridRunsXAlongWidth() {
        Tensor g = KeypointOps.coordinateGrid(3, 5);
        assertArrayEquals(new int[] {3, 5, 2}, g.shape());
        assertArrayEquals(new float[] {-1, -1}, new float[] {g.get(0, 0, 0), g.get(0, 0, 1)});
        assertArrayEquals(new float[] {-0.5f, -1}, new float[] {g.get(0, 1, 0), g.get(0, 1, 1)});
        assertArrayEquals(new float[] {0, 0}, new float[] {g.get(1, 2, 0), g.get(1, 2, 1)});
        assertArrayEquals(new float[] {1, 1}, new float[] {g.get(2, 4, 0), g.get(2, 4, 1)});
    }

    @Test
    void sizeOneAxisIsNanLikePyTorchWithoutThrowing() {
        Tensor g = KeypointOps.coordinateGrid(1, 3);
        assertTrue(Float.isNaN(g.get(0, 1, 1)));
        assertEquals(0f, g.get(0, 1, 0));
        Tensor heat = Tensor.filled(1f / 3, 1, 1, 1, 1, 3);
        Keypoints k = KeypointOps.gaussian2kp(heat, KpVariance.MATRIX, 0.001);
        assertTrue(Float.isNaN(k.mean().data()[1]));
    }

    @Test
    void constantAndSingleVarianceHandValues() {
        Keypoints k = kp(new float[] {0, 0}, new float[] {0.5f}, 1, 1, 1, 1);
        float[] e = {(float) Math.exp(-2), (float) Math.exp(-1), (float) Math.exp(-2),
                     (float) Math.exp(-1), 1, (float) Math.exp(-1),
                     (float) Math.exp(-2), (float) Math.exp(-1), (float) Math.exp(-2)};
        assertArrayEquals(e, KeypointOps.kp2gaussian(k, 3, 3, KpVariance.constant(0.5)).data(), 1e-7f);
        assertArrayEquals(e, KeypointOps.kp2gaussian(k, 3, 3, KpVariance.SINGLE).data(), 1e-7f);
        Keypoints m = kp(new float[] {0, 0}, new float[] {0.5f, 0, 0, 0.5f}, 1, 1, 1, 2);
        assertArrayEquals(e, KeypointOps.kp2gaussian(m, 3, 3, KpVariance.MATRIX).data(), 1e-7f);
    }

    @Test
    void matrixVarianceUsesTheFullInverse() {
        // var [[0.5, 0.2], [0, 0.2]]: det 0.1, inverse [[2, -2], [0, 5]]; d = (1, 1) gives d'Qd = 5.
        Keypoints k = kp(new float[] {0, 0}, new float[] {0.5f, 0.2f, 0, 0.2f}, 1, 1, 1, 2);
        Tensor g = KeypointOps.kp2gaussian(k, 3, 3, KpVariance.MATRIX);
        assertEquals(Math.exp(-2.5), g.get(0, 0, 0, 2, 2), 1e-6);
        // d = (1, 0): 2; d = (0, -1): 5; d = (-1, 1): 2 + 2 + 5 = 9 (the -2 entry times dx*dy = -1)
        assertEquals(Math.exp(-1), g.get(0, 0, 0, 1, 2), 1e-6);
        assertEquals(Math.exp(-2.5), g.get(0, 0, 0, 0, 1), 1e-6);
        assertEquals(Math.exp(-4.5), g.get(0, 0, 0, 2, 0), 1e-6);
    }

    @Test
    void kp2gaussianLayoutFollowsBatchFramesKeypoints() {
        // (B=2, D=1, K=2): each map peaks at its own keypoint's grid point.
        float[] mean = {-1, -1, 1, 1, 0, 0, 1, -1};
        Tensor g = KeypointOps.kp2gaussian(kp(mean, null, 2, 1, 2, 1), 5, 5, KpVariance.constant(0.01));
        assertArrayEquals(new int[] {2, 1, 2, 5, 5}, g.shape());
        assertEquals(1f, g.get(0, 0, 0, 0, 0));
        assertEquals(1f, g.get(0, 0, 1, 4, 4));
        assertEquals(1f, g.get(1, 0, 0, 2, 2));
        assertEquals(1f, g.get(1, 0, 1, 0, 4));
        assertThrows(IllegalArgumentException.class,
                () -> KeypointOps.kp2gaussian(kp(mean, null, 2, 1, 2, 1), 5, 5, KpVariance.MATRIX));
    }

    /** A unit mass on one pixel: every moment has a closed form in the 1e-7 floor. */
    @Test
    void gaussian2kpOfADeltaHandValues() {
        int h = 5;
        int w = 7;
        Tensor heat = Tensor.zeros(1, 1, 1, h, w);
        heat.set(1f, 0, 0, 0, 1, 5);
        Keypoints k = KeypointOps.gaussian2kp(heat, KpVariance.MATRIX, null);
        double mx = 2 * 5 / 6.0 - 1;
        double my = 2 * 1 / 4.0 - 1;
        // the floor adds 1e-7 * (sum of all coordinates) = 0 on a symmetric grid
        assertEquals(mx, k.mean().data()[0], 1e-7);
        assertEquals(my, k.mean().data()[1], 1e-7);
        double sxx = 0;
        for (int j = 0; j < w; j++) {
            double x = 2.0 * j / (w - 1) - 1;
            sxx += (x - mx) * (x - mx);
        }
        double syy = 0;
        for (int i = 0; i < h; i++) {
            double y = 2.0 * i / (h - 1) - 1;
            syy += (y - my) * (y - my);
        }
        float[] v = k.var().data();
        assertEquals(1e-7 * h * sxx, v[0], 1e-12);
        assertEquals(1e-7 * w * h * mx * my, v[1], 1e-12);
        assertEquals(v[1], v[2]);
        assertEquals(1e-7 * w * syy, v[3], 1e-12);

        Keypoints s = KeypointOps.gaussian2kp(heat, KpVariance.SINGLE, null);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1}, s.var().shape());
        assertEquals((v[0] + v[3]) / 2, s.var().data()[0], 1e-12);
        assertNull(KeypointOps.gaussian2kp(heat, KpVariance.constant(0.01), null).var());
    }

    @Test
    void clipVarianceRaisesTheSmallestSingularValue() {
        Tensor heat = Tensor.zeros(1, 1, 1, 9, 11);
        heat.set(0.5f, 0, 0, 0, 4, 5);
        heat.set(0.3f, 0, 0, 0, 5, 7);
        heat.set(0.2f, 0, 0, 0, 6, 4);
        Tensor raw = KeypointOps.gaussian2kp(heat, KpVariance.MATRIX, null).var();
        Tensor clipped = KeypointOps.gaussian2kp(heat, KpVariance.MATRIX, 0.05).var();
        double rawMin = smallestEigen(raw.data());
        assertTrue(rawMin < 0.05, "case must need clipping, smallest " + rawMin);
        // float storage of the entries perturbs eigenvalues by about 2^-24 times the largest one
        assertEquals(0.05, smallestEigen(clipped.data()), 1e-7 * largestEigen(clipped.data()));
        double f = clipped.data()[0] / raw.data()[0];
        for (int i = 0; i < 4; i++) {
            assertEquals(raw.data()[i] * f, clipped.data()[i], 1e-6 * Math.abs(clipped.data()[i]) + 1e-12);
        }
        // a variance already above the bound is left alone
        Tensor loose = KeypointOps.gaussian2kp(heat, KpVariance.MATRIX, rawMin / 2).var();
        assertArrayEquals(raw.data(), loose.data());
    }

    private static double largestEigen(float[] v) {
        double tr = (double) v[0] + v[3];
        double det = (double) v[0] * v[3] - (double) v[1] * v[2];
        return (tr + Math.sqrt(tr * tr - 4 * det)) / 2;
    }

    private static double smallestEigen(float[] v) {
        // det / largest root: the textbook (tr - sqrt(tr^2 - 4 det)) / 2 cancels for elongated matrices
        double det = (double) v[0] * v[3] - (double) v[1] * v[2];
        return det / largestEigen(v);
    }

    @Test
    void smallestSingularStableFormAgreesWithMonkeyNetForm() {
        double[][] ms = {{0.3, 0.05, 0.05, 0.1}, {2, 1, -1, 3}, {1e-3, 2e-4, 2e-4, 5e-4}};
        for (double[] m : ms) {
            double a = m[0];
            double b = m[1];
            double c = m[2];
            double d = m[3];
            double s1 = a * a + b * b + c * c + d * d;
            double s2 = Math.sqrt(Math.pow(a * a + b * b - c * c - d * d, 2) + 4 * Math.pow(a * c + b * d, 2));
            assertEquals(Math.sqrt((s1 - s2) / 2), KeypointOps.smallestSingular(a, b, c, d), 1e-9);
        }
    }

    @Test
    void gaussian2kpRecoversTheKeypointsOfANormalisedGaussian() {
        int h = 64;
        int w = 64;
        float[] mean = {0.2f, -0.3f};
        float[] var = {0.01f, 0.003f, 0.003f, 0.02f};
        Tensor g = KeypointOps.kp2gaussian(kp(mean, var, 1, 1, 1, 2), h, w, KpVariance.MATRIX);
        double sum = 0;
        for (float v : g.data()) {
            sum += v;
        }
        for (int i = 0; i < g.numel(); i++) {
            g.data()[i] /= (float) sum;
        }
        Keypoints k = KeypointOps.gaussian2kp(g.reshape(1, 1, 1, h, w), KpVariance.MATRIX, null);
        // the 1e-7 floor over 4096 pixels moves the mean by ~1e-4 and the variance by ~2e-4
        assertEquals(0.2, k.mean().data()[0], 1e-3);
        assertEquals(-0.3, k.mean().data()[1], 1e-3);
        float[] v = k.var().data();
        for (int i = 0; i < 4; i++) {
            assertEquals(var[i], v[i], 5e-4);
        }
    }

    @Test
    void heatmapsIntoAnArrayEqualTheTensorFormAndReuseIt() {
        java.util.Random r = new java.util.Random(5);
        float[] mean = new float[2 * 3 * 2];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = 2.4f * r.nextFloat() - 1.2f; // some keypoints outside the image
        }
        float[] var = new float[3 * 2 * 4];
        for (int m = 0; m < 6; m++) {
            var[m * 4] = 0.05f + r.nextFloat() * 0.1f;
            var[m * 4 + 1] = var[m * 4 + 2] = 0.01f;
            var[m * 4 + 3] = 0.05f + r.nextFloat() * 0.1f;
        }
        Keypoints k = kp(mean, var, 2, 1, 3, 2);
        int h = 7;
        int w = 19; // not a multiple of any vector length
        Tensor expected = KeypointOps.normalizedHeatmaps(k, h, w, KpVariance.MATRIX, null);
        float[] poisoned = new float[6 * h * w + 5];
        java.util.Arrays.fill(poisoned, Float.NaN);
        float[] got = KeypointOps.normalizedHeatmaps(k, h, w, KpVariance.MATRIX, null, poisoned);
        assertTrue(got == poisoned, "an array that is large enough is written, not replaced");
        assertArrayEquals(expected.data(), java.util.Arrays.copyOf(got, 6 * h * w));
        for (int i = 6 * h * w; i < got.length; i++) {
            assertTrue(Float.isNaN(got[i]), "past the maps nothing is written, index " + i);
        }
        float[] grown = KeypointOps.normalizedHeatmaps(k, h, w, KpVariance.MATRIX, null, new float[3]);
        assertArrayEquals(expected.data(), grown);
        assertThrows(IllegalArgumentException.class, () -> KeypointOps.kp2gaussian(k, h, w, KpVariance.MATRIX, new float[10]));
    }
}
