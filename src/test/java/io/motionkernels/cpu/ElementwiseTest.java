package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ElementwiseTest {
    @Test
    void affineChannelsScalesEachChannelThenActivates() {
        // (1, 2, 1, 1, 2): channel 0 = [1, -2], channel 1 = [3, -4]
        Tensor x = Tensor.of(new float[] {1, -2, 3, -4}, 1, 2, 1, 1, 2);
        float[] scale = {2, -1};
        float[] shift = {0.5f, 1};
        assertArrayEquals(new float[] {2.5f, -3.5f, -2, 5}, Elementwise.affineChannels(x, scale, shift, Activation.NONE).data());
        assertArrayEquals(new float[] {2.5f, 0, 0, 5}, Elementwise.affineChannels(x, scale, shift, Activation.RELU).data());
        assertArrayEquals(new float[] {2.5f, -0.7f, -0.4f, 5},
                Elementwise.affineChannels(x, scale, shift, Activation.LEAKY_RELU_0_2).data(), 1e-6f);
        float[] sig = Elementwise.affineChannels(x, scale, shift, Activation.SIGMOID).data();
        assertEquals(1 / (1 + Math.exp(-2.5)), sig[0], 1e-6);
        assertEquals(1 / (1 + Math.exp(2)), sig[2], 1e-6);
        assertArrayEquals(new float[] {1, -2, 3, -4}, x.data(), "input untouched");
    }

    @Test
    void affineChannelsBatchesUseTheirOwnChannelIndex() {
        Tensor x = Tensor.filled(1f, 2, 3, 1, 1, 1);
        float[] out = Elementwise.affineChannels(x, new float[] {1, 2, 3}, new float[] {0, 0, 0}, Activation.NONE).data();
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, out);
    }

    @Test
    void affineChannelsRejectsWrongChannelCount() {
        Tensor x = Tensor.zeros(1, 3, 1, 2, 2);
        assertThrows(IllegalArgumentException.class,
                () -> Elementwise.affineChannels(x, new float[2], new float[2], Activation.NONE));
    }

    @Test
    void batchNormScaleShiftMatchesInferenceBatchNorm() {
        float[] gamma = {0.8f, 1.2f};
        float[] beta = {0.05f, -0.1f};
        float[] mean = {0.1f, -0.3f};
        float[] var = {0.9f, 1.1f};
        float[][] ss = Elementwise.batchNormScaleShift(gamma, beta, mean, var, 1e-5);
        Tensor x = Tensor.of(new float[] {0.7f, -1.5f, 2.5f, 0.25f}, 1, 2, 1, 1, 2);
        float[] y = Elementwise.affineChannels(x, ss[0], ss[1], Activation.NONE).data();
        for (int i = 0; i < 4; i++) {
            int c = i / 2;
            double ref = (x.data()[i] - mean[c]) / Math.sqrt(var[c] + 1e-5) * gamma[c] + beta[c];
            assertEquals(ref, y[i], 1e-6);
        }
    }

    @Test
    void applyAndAdd() {
        Tensor a = Tensor.of(new float[] {-1, 2, -3}, 3);
        Tensor b = Tensor.of(new float[] {4, 5, 6}, 3);
        assertArrayEquals(new float[] {0, 2, 0}, Elementwise.apply(a, Activation.RELU).data());
        assertArrayEquals(new float[] {3, 7, 3}, Elementwise.add(a, b).data());
        assertThrows(IllegalArgumentException.class, () -> Elementwise.add(a, Tensor.zeros(1, 3)));
    }

    @Test
    void addLargeTensorInParallelChunks() {
        int n = 100_003;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = -2 * i + 1;
        }
        float[] s = Elementwise.add(Tensor.of(x, n), Tensor.of(y, n)).data();
        for (int i = 0; i < n; i++) {
            assertEquals(1 - i, s[i]);
        }
    }

    @Test
    void concatChannelsInterleavesBatches() {
        // a (2, 1, 1, 1, 2), b (2, 2, 1, 1, 2)
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 1, 1, 2);
        Tensor b = Tensor.of(new float[] {10, 11, 12, 13, 20, 21, 22, 23}, 2, 2, 1, 1, 2);
        Tensor c = Elementwise.concatChannels(a, b);
        assertArrayEquals(new int[] {2, 3, 1, 1, 2}, c.shape());
        assertArrayEquals(new float[] {1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23}, c.data());
        assertThrows(IllegalArgumentException.class,
                () -> Elementwise.concatChannels(a, Tensor.zeros(2, 1, 1, 2, 2)));
        assertThrows(IllegalArgumentException.class, Elementwise::concatChannels);
    }
}
