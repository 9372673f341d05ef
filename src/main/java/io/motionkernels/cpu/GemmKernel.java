package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

/**
 * The inner loop of the CPU convolution: one output row accumulates four input rows at a time.
 *
 * <p>Its shape is dictated by what HotSpot C2 (JDK 17) auto-vectorises, measured on this code:
 * every array must be indexed at offset zero (any loop-invariant offset such as {@code c[off + n]}
 * makes SuperWord give up), there must be a single stored array, and at most five loaded rows
 * (six or more silently fall back to scalar code, 4-5x slower). Hence the panel of im2col rows is
 * an array of separate {@code float[]} rows and the accumulator is a separate row as well.
 * Multiply and add stay separate ({@code Math.fma} is no faster here, and is a slow software
 * routine on CPUs without FMA).
 */
final class GemmKernel {
    private GemmKernel() {
    }

    /**
     * {@code c[n] += sum_k a[aOff + k] * rows[r0 + k][n]} for k in [0, kc) and n in [0, nb); kc is
     * a multiple of 4.
     */
    static void accumulate(float[] a, int aOff, float[][] rows, int r0, int kc, float[] c, int nb) {
        for (int k = 0; k < kc; k += 4) {
            float a0 = a[aOff + k];
            float a1 = a[aOff + k + 1];
            float a2 = a[aOff + k + 2];
            float a3 = a[aOff + k + 3];
            float[] b0 = rows[r0 + k];
            float[] b1 = rows[r0 + k + 1];
            float[] b2 = rows[r0 + k + 2];
            float[] b3 = rows[r0 + k + 3];
            for (int n = 0; n < nb; n++) {
                c[n] += a0 * b0[n] + a1 * b1[n] + a2 * b2[n] + a3 * b3[n];
            }
        }
    }

    /**
     * out[outOff + n] = act(c[n] (+ residual[resOff + n])) for n in [0, nb); clobbers c. The
     * activation runs in place on c, at offset 0, so that it vectorises; ReLU is Math.max, which
     * like PyTorch lets NaN through.
     */
    static void store(float[] c, int nb, Activation act, float[] out, int outOff, float[] residual, int resOff) {
        if (residual != null) {
            for (int n = 0; n < nb; n++) {
                c[n] += residual[resOff + n];
            }
        }
        switch (act) {
            case NONE -> {
            }
            case RELU -> {
                for (int n = 0; n < nb; n++) {
                    c[n] = Math.max(c[n], 0f);
                }
            }
            case LEAKY_RELU_0_2 -> {
                for (int n = 0; n < nb; n++) {
                    float v = c[n];
                    c[n] = Math.max(v, 0.2f * v);
                }
            }
            case SIGMOID -> {
                for (int n = 0; n < nb; n++) {
                    c[n] = act.apply(c[n]);
                }
            }
        }
        System.arraycopy(c, 0, out, outOff, nb);
    }
}
