package io.motionkernels.cpu;

import java.util.Arrays;

/**
 * Builds the rows of one im2col panel: row r holds, for every output pixel of a block, the input
 * value that kernel tap {@code k0 + r} reads (zero where the tap falls into the padding). Rows
 * past the last real tap are zero, which makes the panel height a multiple of four.
 *
 * <p>Pixels are numbered over all frames of one batch item (frame-major, then row, then column),
 * so a block may span frames: taps never cross a frame's border, as in a Conv3d with kernel depth 1.
 */
final class ConvPack {
    private ConvPack() {
    }

    /**
     * @param in       input data
     * @param inBase   index of (channel 0 of this group, frame 0, y 0, x 0) for this batch item
     * @param plane    distance between input channels (frames * h * w of the input)
     * @param h        input height, w input width
     * @param up       1, or 2 when the input is upsampled (nearest, x2) on the fly: the output
     *                 image is then (2h, 2w)
     * @param kh       kernel height, kw kernel width
     * @param k0       first tap, kc number of rows to fill, kTotal real taps (cin/groups * kh * kw)
     * @param n0       first output pixel, nb number of pixels
     * @param line     scratch of at least nb + kw - 1 floats, used when up is 2
     */
    static void pack(float[] in, int inBase, int plane, int h, int w, int up, int kh, int kw,
                     int k0, int kc, int kTotal, int n0, int nb, float[][] rows, float[] line) {
        int taps = kh * kw;
        int padX = kw / 2;
        int lineKey = -1;
        for (int r = 0; r < kc; r++) {
            float[] row = rows[r];
            int k = k0 + r;
            if (k >= kTotal) {
                Arrays.fill(row, 0, nb, 0f);
                continue;
            }
            int ci = k / taps;
            int t = k - ci * taps;
            int ky = t / kw;
            int dy = ky - kh / 2;
            int dx = t % kw - padX;
            int chBase = inBase + ci * plane;
            if (up == 2) {
                // The kw taps of one (channel, kernel row) read the same upsampled rows shifted by a
                // column each: the upsampled values (a gather with a shift per element, which C2
                // does not vectorise) are built once into line, and each tap's row copied from it.
                int key = ci * kh + ky;
                if (key != lineKey) {
                    fillLine(in, chBase, h, w, dy, Math.max(0, n0 - padX), Math.min(plane * 4, n0 + nb + padX),
                            n0 - padX, line);
                    lineKey = key;
                }
            }
            packRow(row, n0, nb, h * up, w * up, dy, dx, up == 2 ? null : in, chBase, h * w, line, padX);
        }
    }

    /**
     * One panel row: for output pixels [n0, n0 + nb) of a (outH, outW) image, the value at row
     * offset dy and column offset dx, zero in the padding. Values come from {@code in} (channel
     * base chBase, frames of inHw) or, when {@code in} is null, from the upsampled {@code line}
     * whose index 0 is pixel n0 - padX.
     */
    private static void packRow(float[] row, int n0, int nb, int outH, int outW, int dy, int dx, float[] in,
                                int chBase, int inHw, float[] line, int padX) {
        int outHw = outH * outW;
        int p = n0;
        int end = n0 + nb;
        while (p < end) {
            int f = p / outHw;
            int rem = p - f * outHw;
            int y = rem / outW;
            int x = rem - y * outW;
            int len = Math.min(outW - x, end - p);
            int j = p - n0;
            int sy = y + dy;
            if (sy < 0 || sy >= outH) {
                Arrays.fill(row, j, j + len, 0f);
            } else {
                // output columns [x, x + len) read input columns [x + dx, x + len + dx)
                int lo = Math.max(x, -dx);
                int hi = Math.min(x + len, outW - dx);
                if (lo > hi) {
                    lo = hi = x + len;
                }
                // the padding at either end is a float or two: a loop, not a call to Arrays.fill
                for (int q = j; q < j + (lo - x); q++) {
                    row[q] = 0f;
                }
                if (in != null) {
                    System.arraycopy(in, chBase + f * inHw + sy * outW + lo + dx, row, j + (lo - x), hi - lo);
                } else {
                    // pixel p + dx sits at line[p + dx - (n0 - padX)]
                    System.arraycopy(line, j + (lo - x) + dx + padX, row, j + (lo - x), hi - lo);
                }
                for (int q = j + (hi - x); q < j + len; q++) {
                    row[q] = 0f;
                }
            }
            p += len;
        }
    }

    /**
     * line[p - lineBase] = the upsampled input of one channel at pixel p shifted dy rows, for p in
     * [p0, p1); garbage where that row is outside the image (the caller writes zeros there).
     */
    private static void fillLine(float[] in, int chBase, int h, int w, int dy, int p0, int p1, int lineBase,
                                 float[] line) {
        int outW = 2 * w;
        int outHw = 4 * h * w;
        int inHw = h * w;
        int p = p0;
        while (p < p1) {
            int f = p / outHw;
            int rem = p - f * outHw;
            int y = rem / outW;
            int x = rem - y * outW;
            int len = Math.min(outW - x, p1 - p);
            int sy = y + dy;
            if (sy >= 0 && sy < 2 * h) {
                int src = chBase + f * inHw + (sy >> 1) * w;
                int d = p - lineBase - x;
                int xx = x;
                int xEnd = x + len;
                if ((xx & 1) != 0) {
                    line[d + xx] = in[src + (xx >> 1)];
                    xx++;
                }
                for (; xx + 1 < xEnd; xx += 2) {
                    float v = in[src + (xx >> 1)];
                    line[d + xx] = v;
                    line[d + xx + 1] = v;
                }
                if (xx < xEnd) {
                    line[d + xx] = in[src + (xx >> 1)];
                }
            }
            p += len;
        }
    }
}
