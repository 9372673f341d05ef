package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

import java.util.Arrays;

/**
 * The convolution's GEMM with the roles of pixels and output channels swapped, for images too
 * small to give the vector loop enough pixels (a 4x4 frame has 16): each pixel's accumulator row
 * runs over a block of output channels, and the weights, transposed to (tap, channel) rows, are
 * the streamed operand. The im2col matrix is packed once per call, pixel-major, and shared by all
 * tasks, so splitting output channels over cores does not repeat the packing.
 */
final class ConvChannelMajor {
    /** The transposed weights of one convolution: rows[group][block][tap] has the block's channels. */
    final float[][][][] rows;
    final int blockWidth;

    private ConvChannelMajor(float[][][][] rows, int blockWidth) {
        this.rows = rows;
        this.blockWidth = blockWidth;
    }

    /** Transposes weights (cout, kPad) into per-group, per-block (kPad, width) rows. */
    static ConvChannelMajor of(float[] weights, int cout, int groups, int kPad) {
        int coutG = cout / groups;
        int width = coutG >= 256 ? 256 : coutG >= 128 ? 128 : 64;
        int blocks = (coutG + width - 1) / width;
        float[][][][] rows = new float[groups][blocks][kPad][];
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < blocks; j++) {
                int c0 = g * coutG + j * width;
                int m = Math.min(width, coutG - j * width);
                for (int k = 0; k < kPad; k++) {
                    float[] row = new float[m];
                    for (int c = 0; c < m; c++) {
                        row[c] = weights[(c0 + c) * kPad + k];
                    }
                    rows[g][j][k] = row;
                }
            }
        }
        return new ConvChannelMajor(rows, width);
    }

    /**
     * Packs im2col for pixels [p0, p1) of one batch item and group: xt[(p - base) * kPad + k] is
     * the value tap k reads for output pixel p; zero for padding and for k >= kTotal.
     */
    static void packTransposed(float[] in, int inBase, int plane, int h, int w, int up, int kh, int kw,
                               int kTotal, int kPad, int p0, int p1, float[] xt, int xtBase) {
        int outH = h * up;
        int outW = w * up;
        int outHw = outH * outW;
        int inHw = h * w;
        int cinG = kTotal / (kh * kw);
        // up is 1 or 2: a shift, not an integer division per element
        int shift = up - 1;
        int padX = kw / 2;
        for (int p = p0; p < p1; p++) {
            int f = p / outHw;
            int rem = p - f * outHw;
            int y = rem / outW;
            int x = rem - y * outW;
            int dst = xtBase + p * kPad;
            int frameBase = inBase + f * inHw;
            int k = 0;
            for (int ci = 0; ci < cinG; ci++) {
                int chBase = frameBase + ci * plane;
                for (int ky = 0; ky < kh; ky++) {
                    int sy = y + ky - kh / 2;
                    if (sy < 0 || sy >= outH) {
                        Arrays.fill(xt, dst + k, dst + k + kw, 0f);
                        k += kw;
                        continue;
                    }
                    int rowBase = chBase + (sy >> shift) * w;
                    int sx0 = x - padX;
                    if (sx0 >= 0 && sx0 + kw <= outW) {
                        if (kw == 3 && shift == 0) {
                            // the model's 3x3 convolutions: a fixed-length copy that C2 need not loop over
                            int src = rowBase + sx0;
                            xt[dst + k] = in[src];
                            xt[dst + k + 1] = in[src + 1];
                            xt[dst + k + 2] = in[src + 2];
                            k += 3;
                            continue;
                        }
                        for (int kx = 0; kx < kw; kx++) {
                            xt[dst + k++] = in[rowBase + ((sx0 + kx) >> shift)];
                        }
                        continue;
                    }
                    for (int kx = 0; kx < kw; kx++) {
                        int sx = sx0 + kx;
                        xt[dst + k++] = sx < 0 || sx >= outW ? 0f : in[rowBase + (sx >> shift)];
                    }
                }
            }
            Arrays.fill(xt, dst + kTotal, dst + kPad, 0f);
        }
    }

    /**
     * Output channels [co0, co0 + m) (block {@code block} of group g) at pixels [p0, p1):
     * acc[p][c] = bias + sum_k xt[p][k] * w[k][c], then written transposed into out.
     */
    void block(int g, int block, float[] xt, int xtBase, int kPad, int p0, int p1, float[] bias, int co0,
               Activation act, float[] out, int outBase, int n, float[] res, int resBase) {
        float[][] w = rows[g][block];
        int m = w[0].length;
        int np = p1 - p0;
        ConvScratch scratch = ConvScratch.get(0, np, blockWidth);
        float[][] acc = scratch.acc;
        for (int i = 0; i < np; i++) {
            System.arraycopy(bias, co0, acc[i], 0, m);
        }
        // a panel of taps x channels (4096 floats) stays in L1 while every pixel sweeps it
        int kcMax = Math.max(4, (4096 / m) & ~3);
        for (int k0 = 0; k0 < kPad; k0 += kcMax) {
            int kc = Math.min(kcMax, kPad - k0);
            for (int i = 0; i < np; i++) {
                GemmKernel.accumulate(xt, xtBase + (p0 + i) * kPad + k0, w, k0, kc, acc[i], m);
            }
        }
        for (int c = 0; c < m; c++) {
            int o = outBase + (co0 + c) * n;
            int r = resBase + (co0 + c) * n;
            for (int i = 0; i < np; i++) {
                float v = acc[i][c];
                if (res != null) {
                    v += res[r + p0 + i];
                }
                out[o + p0 + i] = act.apply(v);
            }
        }
    }
}
