package io.motionkernels.model;

import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class KeypointNormalizationTest {
    private static Keypoints kp(int d, float... xy) {
        return new Keypoints(Tensor.of(xy, 1, d, xy.length / 2 / d, 2), null);
    }

    @Test
    void hullAreaIgnoresInteriorPoints() {
        Tensor square = kp(1, -1, -1, 1, -1, 1, 1, -1, 1, 0, 0, 0.5f, 0.2f).mean();
        assertEquals(4.0, KeypointNormalization.hullArea(square, 0), 1e-12);
        Tensor triangle = kp(1, 0, 0, 1, 0, 0, 1).mean();
        assertEquals(0.5, KeypointNormalization.hullArea(triangle, 0), 1e-12);
    }

    @Test
    void relativeMotionMovesSourceKeypointsByTheDrivingDisplacement() {
        Keypoints driving = kp(2, 0.1f, 0.2f, 0.3f, 0.5f);
        Keypoints source = kp(1, -0.5f, 0.5f);
        Keypoints out = KeypointNormalization.normalize(driving, driving.firstFrame(), source,
                ModelConfig.Normalization.RELATIVE);
        assertArrayEquals(new float[]{-0.5f, 0.5f, -0.3f, 0.8f}, out.mean().data(), 1e-6f);
        Keypoints abs = KeypointNormalization.normalize(driving, driving.firstFrame(), source,
                ModelConfig.Normalization.ABSOLUTE);
        assertArrayEquals(driving.mean().data(), abs.mean().data());
    }

    @Test
    void movementMultScalesByHullAreasAndClipMeanClamps() {
        // Source hull has 4x the area of the first driving frame's: displacements double.
        Keypoints driving = kp(2, 0, 0, 0.5f, 0, 0, 0.5f, 0.1f, 0, 0.6f, 0, 0.1f, 0.5f);
        Keypoints source = kp(1, 0, 0, 1, 0, 0, 1);
        Keypoints out = KeypointNormalization.normalize(driving, driving.firstFrame(), source,
                new ModelConfig.Normalization(true, true, false, true));
        assertArrayEquals(new float[]{0, 0, 1, 0, 0, 1, 0.2f, 0, 1, 0, 0.2f, 1}, out.mean().data(), 1e-6f);
    }

    @Test
    void symmetricPositiveRaisesNonPositiveEigenvalues() {
        double[] m = KeypointNormalization.symmetricPositive(new double[]{2, 1, 1, 2});
        assertArrayEquals(new double[]{2, 1, 1, 2}, m, 1e-12);
        double[] n = KeypointNormalization.symmetricPositive(new double[]{1, 0, 0, -3});
        assertArrayEquals(new double[]{1, 0, 0, 1e-6}, n, 1e-12);
        double[] asym = KeypointNormalization.symmetricPositive(new double[]{3, 2, 0, 3});
        assertArrayEquals(new double[]{3, 1, 1, 3}, asym, 1e-12);
    }

    @Test
    void adaptVarianceIsIdentityOnTheFirstFrameWithEqualSourceVariance() {
        float[] v = {0.02f, 0.005f, 0.005f, 0.03f};
        Tensor var = Tensor.of(v.clone(), 1, 1, 1, 2, 2);
        Tensor out = KeypointNormalization.adaptVariance(var, var, var);
        assertArrayEquals(v, out.data(), 1e-7f);
    }
}
