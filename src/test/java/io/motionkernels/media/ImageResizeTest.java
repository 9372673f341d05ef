package io.motionkernels.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageResizeTest {
    private static final float EPS = 1e-6f;

    @Test
    void shrinkingByTwoAveragesEachBlock() {
        float[] src = {
            1, 2, 3, 4,
            5, 6, 7, 8,
            9, 10, 11, 12,
            13, 14, 15, 16,
        };
        float[] out = ImageResize.resize(src, 4, 4, 2, 2);
        assertArrayEquals(new float[] {3.5f, 5.5f, 11.5f, 13.5f}, out, EPS);
    }

    @Test
    void shrinkingByFractionWeighsPartlyCoveredPixels() {
        // 3 -> 2: output 0 covers input 0 and half of input 1, output 1 the other half and input 2.
        float[] out = ImageResize.resize(new float[] {0, 3, 6}, 1, 3, 1, 2);
        assertArrayEquals(new float[] {1f, 5f}, out, EPS);
    }

    @Test
    void shrinkingKeepsTheMean() {
        Random rng = new Random(7);
        float[] src = new float[7 * 5];
        double sum = 0;
        for (int i = 0; i < src.length; i++) {
            src[i] = rng.nextFloat();
            sum += src[i];
        }
        float[] out = ImageResize.resize(src, 7, 5, 3, 2);
        double outSum = 0;
        for (float v : out) {
            outSum += v;
        }
        assertEquals(sum / src.length, outSum / out.length, 1e-5);
    }

    @Test
    void enlargingOnePixelGivesAConstant() {
        float[] out = ImageResize.resize(new float[] {0.25f}, 1, 1, 3, 3);
        float[] expected = new float[9];
        java.util.Arrays.fill(expected, 0.25f);
        assertArrayEquals(expected, out, 0f);
    }

    @Test
    void enlargingInterpolatesBetweenPixelCentres() {
        float[] out = ImageResize.resize(new float[] {0f, 1f}, 1, 2, 1, 4);
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, out, EPS);
    }

    @Test
    void axesAreIndependent() {
        // 2 rows x 4 columns -> 4 rows x 2 columns: columns are averaged, rows interpolated.
        float[] src = {
            0, 2, 4, 6,
            8, 10, 12, 14,
        };
        float[] out = ImageResize.resize(src, 2, 4, 4, 2);
        assertArrayEquals(new float[] {1, 5, 3, 7, 7, 11, 9, 13}, out, EPS);
    }

    @Test
    void sameSizeIsACopy() {
        float[] src = {1, 2, 3, 4, 5, 6};
        float[] out = ImageResize.resize(src, 2, 3, 2, 3);
        assertArrayEquals(src, out, 0f);
        out[0] = 9;
        assertEquals(1f, src[0]);
    }

    /**
     * Float weights that sum to one in exact arithmetic sum to up to 1 + 6e-6 once rounded (the
     * fuzzer found a white frame read back as 1.0000004): the result must stay in the source's
     * range, which for pixels is [0, 1], at every size.
     */
    @Test
    void resultStaysInTheSourceRange() {
        Random random = new Random(7);
        int[] sizes = {1, 2, 3, 7, 16, 45, 64, 97, 255, 256, 301};
        for (int srcH : sizes) {
            for (int srcW : sizes) {
                float[] white = new float[srcH * srcW];
                java.util.Arrays.fill(white, 1f);
                float[] mixed = new float[srcH * srcW];
                for (int i = 0; i < mixed.length; i++) {
                    mixed[i] = random.nextBoolean() ? 1f : 0.25f;
                }
                for (int dst : new int[] {1, 5, 16, 64, 100}) {
                    for (float v : ImageResize.resize(white, srcH, srcW, dst, dst + 3)) {
                        assertEquals(1f, v, 0f, srcH + "x" + srcW + " -> " + dst + "x" + (dst + 3));
                    }
                    for (float v : ImageResize.resize(mixed, srcH, srcW, dst + 3, dst)) {
                        if (!(v >= 0.25f && v <= 1f)) {
                            throw new AssertionError(srcH + "x" + srcW + " -> " + (dst + 3) + "x" + dst + ": " + v);
                        }
                    }
                }
            }
        }
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> ImageResize.resize(new float[4], 2, 2, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageResize.resize(new float[3], 2, 2, 1, 1));
    }
}
