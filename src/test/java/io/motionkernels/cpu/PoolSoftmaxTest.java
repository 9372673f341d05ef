package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolSoftmaxTest {
    static Tensor random(long seed, int... shape) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    @Test
    void avgPoolFloorsOddSizes() {
        // 3x5 frame: the last row and column are dropped.
        float[] v = new float[15];
        for (int i = 0; i < 15; i++) {
            v[i] = i;
        }
        Tensor out = Pool.avgPool2x2(Tensor.of(v, 1, 1, 1, 3, 5));
        assertArrayEquals(new int[] {1, 1, 1, 1, 2}, out.shape());
        assertArrayEquals(new float[] {(0 + 1 + 5 + 6) / 4f, (2 + 3 + 7 + 8) / 4f}, out.data());
        assertArrayEquals(new int[] {1, 1, 1, 0, 0}, Pool.avgPool2x2(Tensor.zeros(1, 1, 1, 1, 1)).shape());
    }

    @Test
    void nearestUpsampleThenPoolIsIdentity() {
        Tensor x = random(1, 2, 3, 2, 5, 7);
        Tensor back = Pool.avgPool2x2(Interpolate.nearestScale(x, 1, 2, 2));
        assertArrayEquals(x.data(), back.data(), 0f);
    }

    @Test
    void softmaxOverPixelsSumsToOneAndHonoursTemperature() {
        Tensor x = random(2, 2, 3, 2, 4, 5);
        Tensor s = Softmax.overPixels(x, 0.1);
        for (int p = 0; p < 12; p++) {
            double sum = 0;
            for (int i = 0; i < 20; i++) {
                float v = s.data()[p * 20 + i];
                assertTrue(v >= 0 && v <= 1);
                sum += v;
            }
            assertEquals(1.0, sum, 1e-6);
        }
        float[] scaled = x.data().clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] /= 0.1f;
        }
        assertArrayEquals(Softmax.overPixels(Tensor.of(scaled, x.shape()), 1).data(), s.data(), 1e-6f);
    }

    @Test
    void softmaxHandValuesAndLargeLogits() {
        Tensor x = Tensor.of(new float[] {0, (float) Math.log(3), 1000, 1000 + (float) Math.log(3)}, 1, 2, 1, 1, 2);
        // Each channel's two pixels are e^a : e^(a + delta), even at logits of 1000 (where delta
        // is ln 3 rounded to the float spacing near 1000).
        double delta = x.data()[3] - x.data()[2];
        float low = (float) (1 / (1 + Math.exp(delta)));
        assertArrayEquals(new float[] {0.25f, 0.75f, low, 1 - low}, Softmax.overPixels(x, 1).data(), 1e-6f);
        assertArrayEquals(new float[] {1f}, Softmax.overPixels(Tensor.of(new float[] {-7}, 1, 1, 1, 1, 1), 0.5).data());
        assertThrows(IllegalArgumentException.class, () -> Softmax.overPixels(x, 0));
    }

    @Test
    void softmaxOverChannelsUsesOnlyTheFirstChannels() {
        // (1, 3, 1, 1, 2): channel 2 is ignored.
        Tensor x = Tensor.of(new float[] {0, 500, (float) Math.log(3), 500, 99, 99}, 1, 3, 1, 1, 2);
        Tensor s = Softmax.overChannels(x, 2);
        assertArrayEquals(new int[] {1, 2, 1, 1, 2}, s.shape());
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 0.5f}, s.data(), 1e-6f);

        Tensor big = random(3, 2, 11, 3, 17, 19);
        Tensor m = Softmax.overChannels(big, 11);
        int inner = 3 * 17 * 19;
        for (int b = 0; b < 2; b++) {
            for (int p = 0; p < inner; p++) {
                double sum = 0;
                for (int k = 0; k < 11; k++) {
                    sum += m.data()[(b * 11 + k) * inner + p];
                }
                assertEquals(1.0, sum, 1e-6);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Softmax.overChannels(x, 4));
    }
}
