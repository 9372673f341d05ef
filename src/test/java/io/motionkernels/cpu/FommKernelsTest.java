package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** FOMM's CPU kernels (the reference of kernels/fomm.cu) against naive loops from FOMM.md, on odd sizes. */
class FommKernelsTest {
    private static float[] random(Random r, int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + (hi - lo) * r.nextFloat();
        }
        return a;
    }

    private static double axis(int i, int n) {
        return 2.0 * i / (n - 1) - 1;
    }

    @Test
    void antialiasKernelFollowsTheFormula() {
        assertEquals(13, FommKernels.antialiasKernelSize(0.25));
        assertEquals(5, FommKernels.antialiasKernelSize(0.5));
        assertEquals(29, FommKernels.antialiasKernelSize(0.125));
        // s = 0.8: 4 sigma = 0.5 exactly, which Python's round takes to 0 (half to even), so k = 1
        assertEquals(1, FommKernels.antialiasKernelSize(0.8));
        assertEquals(4, FommKernels.antialiasStride(0.25));
        assertEquals(3, FommKernels.antialiasStride(0.3));
        float[] k = FommKernels.antialiasKernel(0.5);
        double sum = 0;
        for (float v : k) {
            sum += v;
        }
        assertEquals(1, sum, 1e-6);
        double sigma = 0.5;
        double g0 = Math.exp(-4 / (2 * sigma * sigma)); // tap 0, 2 from the centre
        double g1 = Math.exp(-1 / (2 * sigma * sigma));
        double norm = Math.pow(g0 * 2 + g1 * 2 + 1, 2);
        assertEquals(1 / norm, k[2 * 5 + 2], 1e-7);
        assertEquals(g0 * g1 / norm, k[0 * 5 + 1], 1e-9);
    }

    @Test
    void antialiasIsTheZeroPaddedConvolutionSubsampled() {
        Random r = new Random(1);
        for (int[] s : new int[][] {{13, 17, 5, 3}, {9, 4, 5, 2}, {30, 45, 13, 4}}) {
            int h = s[0], w = s[1], k = s[2], stride = s[3], planes = 3;
            float[] in = random(r, planes * h * w, 0, 1);
            float[] kernel = random(r, k * k, 0, 1);
            int ho = (h + stride - 1) / stride, wo = (w + stride - 1) / stride;
            float[] out = new float[planes * ho * wo + 5];
            FommKernels.antialias(in, 0, planes, h, w, kernel, 0, k, stride, out, 5);
            int pad = (k - 1) / 2;
            for (int p = 0; p < planes; p++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double acc = 0;
                        for (int a = 0; a < k; a++) {
                            for (int b = 0; b < k; b++) {
                                int y = i * stride + a - pad, x = j * stride + b - pad;
                                if (y >= 0 && y < h && x >= 0 && x < w) {
                                    acc += kernel[a * k + b] * in[(p * h + y) * w + x];
                                }
                            }
                        }
                        assertEquals(acc, out[5 + (p * ho + i) * wo + j], 1e-5, h + "x" + w + " at " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void heatmapKeypointsAreHeatWeightedSums() {
        Random r = new Random(2);
        int b = 2, k = 3, h = 7, w = 9, plane = h * w;
        float[] heat = random(r, b * k * plane, 0, 1);
        for (int j : new int[] {1, k}) {
            float[] maps = random(r, b * 4 * j * plane, -1, 1);
            float[] value = new float[b * k * 2];
            float[] jac = new float[b * k * 4];
            FommKernels.heatmapKeypoints(heat, 0, maps, 0, b, k, j, h, w, value, 0, jac, 0);
            for (int bi = 0; bi < b; bi++) {
                for (int ki = 0; ki < k; ki++) {
                    double x = 0, y = 0;
                    double[] e = new double[4];
                    for (int i = 0; i < h; i++) {
                        for (int jj = 0; jj < w; jj++) {
                            double q = heat[((bi * k + ki) * h + i) * w + jj];
                            x += q * axis(jj, w);
                            y += q * axis(i, h);
                            for (int c = 0; c < 4; c++) {
                                int m = j == 1 ? 0 : ki;
                                e[c] += q * maps[((bi * 4 * j + 4 * m + c) * h + i) * w + jj];
                            }
                        }
                    }
                    assertEquals(x, value[(bi * k + ki) * 2], 1e-5);
                    assertEquals(y, value[(bi * k + ki) * 2 + 1], 1e-5);
                    for (int c = 0; c < 4; c++) {
                        assertEquals(e[c], jac[(bi * k + ki) * 4 + c], 1e-5, "maps " + j);
                    }
                }
            }
        }
    }

    @Test
    void sparseMotionIsTheIdentityThenOneAffineWarpPerKeypoint() {
        Random r = new Random(3);
        int n = 2, k = 3, h = 5, w = 7;
        float[] sv = random(r, n * k * 2, -1, 1), dv = random(r, n * k * 2, -1, 1);
        float[] sj = random(r, n * k * 4, -1, 1), dj = random(r, n * k * 4, -1, 1);
        for (int i = 0; i < n * k; i++) {
            dj[i * 4] += 2; // keep the driving jacobians invertible
            dj[i * 4 + 3] += 2;
        }
        for (boolean jac : new boolean[] {false, true}) {
            float[] out = new float[n * (k + 1) * h * w * 3];
            FommKernels.sparseMotion(sv, 0, jac ? sj : null, 0, dv, 0, jac ? dj : null, 0, n, k, h, w, out, 0);
            Tensor t = Tensor.of(out, n, k + 1, h, w, 3);
            for (int f = 0; f < n; f++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        assertEquals(axis(j, w), t.get(f, 0, i, j, 0), 1e-6);
                        assertEquals(axis(i, h), t.get(f, 0, i, j, 1), 1e-6);
                        for (int s = 1; s <= k; s++) {
                            int kk = f * k + s - 1;
                            double a = dj[kk * 4], bb = dj[kk * 4 + 1], c = dj[kk * 4 + 2], d = dj[kk * 4 + 3];
                            double det = a * d - bb * c;
                            double[] inv = {d / det, -bb / det, -c / det, a / det};
                            double[] m = jac ? new double[] {sj[kk * 4] * inv[0] + sj[kk * 4 + 1] * inv[2],
                                    sj[kk * 4] * inv[1] + sj[kk * 4 + 1] * inv[3],
                                    sj[kk * 4 + 2] * inv[0] + sj[kk * 4 + 3] * inv[2],
                                    sj[kk * 4 + 2] * inv[1] + sj[kk * 4 + 3] * inv[3]} : new double[] {1, 0, 0, 1};
                            double x = axis(j, w) - dv[kk * 2], y = axis(i, h) - dv[kk * 2 + 1];
                            assertEquals(m[0] * x + m[1] * y + sv[kk * 2], t.get(f, s, i, j, 0), 1e-5);
                            assertEquals(m[2] * x + m[3] * y + sv[kk * 2 + 1], t.get(f, s, i, j, 1), 1e-5);
                            assertEquals(0f, t.get(f, s, i, j, 2));
                        }
                    }
                }
            }
        }
    }

    @Test
    void combineScaleAndSoftmaxOverChannels() {
        Random r = new Random(4);
        int n = 2, s = 5, plane = 3 * 7;
        float[] mask = random(r, n * s * plane, 0, 1), motion = random(r, n * s * plane * 3, -1, 1);
        float[] out = new float[n * plane * 3];
        FommKernels.combineMotion(mask, 0, motion, 0, n, s, plane, out, 0);
        for (int f = 0; f < n; f++) {
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 2; c++) {
                    double acc = 0;
                    for (int q = 0; q < s; q++) {
                        acc += mask[(f * s + q) * plane + p] * motion[((f * s + q) * plane + p) * 3 + c];
                    }
                    assertEquals(acc, out[(f * plane + p) * 3 + c], 1e-6);
                }
                assertEquals(0f, out[(f * plane + p) * 3 + 2]);
            }
        }
        float[] in = random(r, n * 3 * plane, -2, 2), weight = random(r, n * plane, 0, 1);
        float[] scaled = new float[in.length];
        FommKernels.scalePixels(in, 0, weight, 0, n, 3, plane, scaled, 0);
        for (int i = 0; i < in.length; i++) {
            assertEquals(in[i] * weight[(i / (3 * plane)) * plane + i % plane], scaled[i]);
        }
        float[] x = random(r, n * 6 * plane, -4, 4);
        float[] sm = new float[n * 4 * plane];
        Softmax.overChannels(x, 0, n, 6, 4, plane, sm, 0);
        Tensor expected = Softmax.overChannels(Tensor.of(x, n, 6, 1, 3, 7), 4);
        assertArrayEquals(expected.data(), sm, 1e-7f);
    }
}
