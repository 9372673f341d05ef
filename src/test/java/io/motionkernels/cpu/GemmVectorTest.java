package io.motionkernels.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The register-blocked kernel on its own, against double precision: every combination of row
 * count (blocks of four and the remainder), column count (blocks of three vectors, single vectors
 * and the scalar tail) and reduction length, with operands at offsets and strides, and columns
 * past nb left alone.
 */
class GemmVectorTest {
    @Test
    void matchesDoublePrecisionOnEveryBlockingRemainder() {
        assertTrue(ConvKernels.VECTOR_AVAILABLE, "the Vector API kernel needs --add-modules jdk.incubator.vector");
        Random rnd = new Random(1);
        int width = 80;
        for (int m = 1; m <= 9; m++) {
            for (int nb = 0; nb <= 70; nb += nb < 20 ? 1 : 7) {
                for (int kc : new int[] {1, 3, 4, 17}) {
                    int aOff = 5;
                    int aStride = kc + 3;
                    int r0 = 2;
                    int c0 = 1;
                    float[] a = new float[aOff + m * aStride];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = rnd.nextFloat() * 2 - 1;
                    }
                    float[][] b = new float[r0 + kc][width];
                    for (float[] row : b) {
                        for (int n = 0; n < width; n++) {
                            row[n] = rnd.nextFloat() * 2 - 1;
                        }
                    }
                    float[][] c = new float[c0 + m + 1][width];
                    for (float[] row : c) {
                        for (int n = 0; n < width; n++) {
                            row[n] = rnd.nextFloat();
                        }
                    }
                    float[][] before = new float[c.length][];
                    for (int i = 0; i < c.length; i++) {
                        before[i] = c[i].clone();
                    }
                    GemmVector.accumulate(a, aOff, aStride, m, b, r0, kc, c, c0, nb);
                    for (int i = 0; i < c.length; i++) {
                        for (int n = 0; n < width; n++) {
                            String at = "m " + m + " nb " + nb + " kc " + kc + " row " + i + " col " + n;
                            if (i < c0 || i >= c0 + m || n >= nb) {
                                assertEquals(before[i][n], c[i][n], 0f, at + " must be untouched");
                                continue;
                            }
                            double e = before[i][n];
                            for (int k = 0; k < kc; k++) {
                                e += (double) a[aOff + (i - c0) * aStride + k] * b[r0 + k][n];
                            }
                            assertEquals(e, c[i][n], 1e-5, at);
                        }
                    }
                }
            }
        }
    }
}
