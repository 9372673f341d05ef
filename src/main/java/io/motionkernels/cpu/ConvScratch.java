package io.motionkernels.cpu;

/**
 * Per-thread work rows of the convolution (an im2col panel and the output accumulators), kept
 * between calls so that a forward pass does not allocate megabytes per layer. A task uses them
 * from start to end without running other tasks in between, so one set per thread suffices.
 */
final class ConvScratch {
    private static final ThreadLocal<ConvScratch> LOCAL = ThreadLocal.withInitial(ConvScratch::new);

    float[][] panel = new float[0][];
    float[][] acc = new float[0][];
    /** An upsampled input line for {@link ConvPack}: a block's pixels plus a kernel's width. */
    float[] line = new float[0];
    private int width;

    private ConvScratch() {
    }

    /** This thread's scratch with at least {@code panelRows} and {@code accRows} rows of {@code width}. */
    static ConvScratch get(int panelRows, int accRows, int width) {
        ConvScratch s = LOCAL.get();
        if (s.width < width) {
            s.width = width;
            s.panel = new float[0][];
            s.acc = new float[0][];
        }
        s.panel = grow(s.panel, panelRows, s.width);
        s.acc = grow(s.acc, accRows, s.width);
        if (s.line.length < s.width + 64) {
            s.line = new float[s.width + 64];
        }
        return s;
    }

    private static float[][] grow(float[][] rows, int count, int width) {
        if (rows.length >= count) {
            return rows;
        }
        float[][] bigger = java.util.Arrays.copyOf(rows, count);
        for (int i = rows.length; i < count; i++) {
            // separate arrays on purpose: GemmKernel vectorises only over whole rows at offset 0
            bigger[i] = new float[width];
        }
        return bigger;
    }
}
