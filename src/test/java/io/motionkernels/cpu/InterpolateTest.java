package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InterpolateTest {
    static Tensor row(float... v) {
        return Tensor.of(v.clone(), 1, 1, 1, 1, v.length);
    }

    @Test
    void nearestBySizePicksFloorOfScaledIndex() {
        // scale 3/5 = 0.6: floor(0, 0.6, 1.2, 1.8, 2.4) = 0, 0, 1, 1, 2
        assertArrayEquals(new float[] {10, 10, 11, 11, 12}, Interpolate.nearest(row(10, 11, 12), 1, 1, 5).data());
        // downsampling 5 -> 2: scale 2.5, indices 0 and 2
        assertArrayEquals(new float[] {10, 12}, Interpolate.nearest(row(10, 11, 12, 13, 14), 1, 1, 2).data());
        assertArrayEquals(new float[] {4, 4, 4}, Interpolate.nearest(Tensor.of(new float[] {4}, 1, 1, 1, 1, 1), 1, 1, 3).data());
    }

    @Test
    void nearestByScaleFactor() {
        Tensor x = row(10, 11, 12, 13, 14);
        Tensor half = Interpolate.nearestScale(x, 1, 1, 0.5);
        assertArrayEquals(new int[] {1, 1, 1, 1, 2}, half.shape());
        assertArrayEquals(new float[] {10, 12}, half.data());
        assertArrayEquals(new float[] {10, 10, 10, 11, 11, 11}, Interpolate.nearestScale(row(10, 11), 1, 1, 3).data());
        // floor(3 * 1.5) = 4 outputs, source floor(i / 1.5) = 0, 0, 1, 2
        assertArrayEquals(new float[] {10, 10, 11, 12}, Interpolate.nearestScale(row(10, 11, 12), 1, 1, 1.5).data());
        assertThrows(IllegalArgumentException.class, () -> Interpolate.nearestScale(x, 1, 1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> Interpolate.nearestScale(x, 1, 1, -2));
    }

    @Test
    void nearestAllAxes() {
        float[] v = new float[2 * 2 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        Tensor x = Tensor.of(v, 1, 1, 2, 2, 3);
        Tensor y = Interpolate.nearestScale(x, 2, 2, 2);
        assertArrayEquals(new int[] {1, 1, 4, 4, 6}, y.shape());
        for (int d = 0; d < 4; d++) {
            for (int h = 0; h < 4; h++) {
                for (int w = 0; w < 6; w++) {
                    assertEquals(x.get(0, 0, d / 2, h / 2, w / 2), y.get(0, 0, d, h, w));
                }
            }
        }
    }

    @Test
    void trilinearHandValues() {
        // 2 -> 4, align_corners false: sources 0, 0.25, 0.75, 1.25 (clamped to the last pixel)
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, Interpolate.trilinear(row(0, 1), 1, 1, 4).data(), 1e-7f);
        // 4 -> 2: sources 0.5 and 2.5
        assertArrayEquals(new float[] {1.5f, 3.5f}, Interpolate.trilinear(row(1, 2, 3, 4), 1, 1, 2).data(), 1e-7f);
        // a 1x1x1 input is constant at any size
        Tensor c = Interpolate.trilinear(Tensor.of(new float[] {3}, 1, 1, 1, 1, 1), 3, 4, 5);
        for (float v : c.data()) {
            assertEquals(3f, v);
        }
    }

    @Test
    void trilinearMixesFramesAndIsIdentityAtSameSize() {
        // two frames of constant 0 and 8 resized to 4 frames: 0, 2, 6, 8
        float[] v = new float[2 * 2 * 2];
        for (int i = 4; i < 8; i++) {
            v[i] = 8;
        }
        Tensor x = Tensor.of(v, 1, 1, 2, 2, 2);
        Tensor y = Interpolate.trilinear(x, 4, 3, 5);
        for (int d = 0; d < 4; d++) {
            float expected = new float[] {0, 2, 6, 8}[d];
            for (int i = 0; i < 15; i++) {
                assertEquals(expected, y.data()[d * 15 + i], 1e-6f);
            }
        }
        Tensor r = PoolSoftmaxTest.random(4, 2, 3, 3, 5, 7);
        assertArrayEquals(r.data(), Interpolate.trilinear(r, 3, 5, 7).data(), 1e-7f);
    }
}
