package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 3x3 convolution (stride 1, padding 1, one group) by Winograd's minimal filtering F(4x4, 3x3)
 * (Lavin and Gray, 2016): each 4x4 output tile is computed from its 6x6 input patch d as
 * A^T [U (.) (B^T d B)] A, with U = G g G^T the filter transformed once at construction. Per
 * output that is 36 / 16 = 2.25 multiplications per input channel instead of 9: 4x less
 * arithmetic in the GEMM, plus transforms that cost per channel, not per channel pair.
 *
 * <p>For each of the 36 transform coordinates the channel reduction is a GEMM, M[tile][co] = sum
 * over ci of V[ci][tile] U[ci][co]. A task owns a block of tiles (of any frames: frames are
 * independent images, their tiles are simply more columns of the GEMM) and a range of output
 * channels. It transforms its tiles' patches a chunk of input channels at a time into a buffer sized
 * for L2, then runs the 36 GEMMs over the chunk with a register block of 4 tiles by 3 vectors of
 * output channels (12 accumulators, the shape of {@link ConvDirect}'s block, transposed: channels
 * along the vectors, so any number of tiles blocks well), accumulating in M. The output transform
 * then runs on vectors of output channels, and the epilogue (bias, residual, activation) writes
 * each output once, possibly into a channel slice of a larger buffer.
 *
 * <p>Rounding: the transforms' constants (1/4, 1/6, 1/24, 8...) enlarge float32 rounding compared
 * with the direct sum; measured on random data the relative L2 error against a double reference is
 * of the order of 1e-6 (see ConvWinogradTest), well inside the 1e-4 reference bound. F(6x6, 3x3)
 * would save another 1.8x of the GEMM but its larger constants make errors of 1e-4 and more, so it
 * is not used. The sum over input channels runs in the same order whatever the tile block and
 * chunk sizes, so a frame's result does not depend on how many frames share the call.
 *
 * <p>Immutable after construction; safe to share between threads.
 */
final class ConvWinograd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Transform coordinates: the 6x6 patch. */
    private static final int X = 36;
    /** Tiles per register block. */
    private static final int TB = 4;
    /** Vectors of output channels per register block. */
    private static final int NB = 3;
    /** Floats of the per-task accumulator M (36 x tiles x channels): a fraction of L2. */
    private static final int M_BUDGET = 1 << 16;
    /** Floats of the per-task transformed input chunk (36 x channels x tiles). */
    private static final int V_BUDGET = 1 << 15;
    /** Most tiles per task. */
    private static final int MAX_TILES = 64;

    private final int cin;
    private final int cout;
    /** Vectors of output channels: cout rounded up to whole vectors. */
    private final int nVec;
    private final int coPad;
    /** Transformed filter, [xi][ci][coPad], zero past cout. */
    private final float[] u;
    /** Bias, zero past cout. */
    private final float[] bias;

    /** Per-thread buffers; a task never forks while it holds them, so no two tasks share one. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] v = new float[0];
        float[] m = new float[0];
        final float[] d = new float[X];
        final float[] e = new float[X];
        final float[] rows = new float[24 * V];
        final float[] tile = new float[16 * V];

        float[] v(int n) {
            if (v.length < n) {
                v = new float[n];
            }
            return v;
        }

        float[] m(int n) {
            if (m.length < n) {
                m = new float[n];
            }
            return m;
        }
    }

    private ConvWinograd(int cin, int cout, float[] u, float[] bias) {
        this.cin = cin;
        this.cout = cout;
        this.nVec = (cout + V - 1) / V;
        this.coPad = nVec * V;
        this.u = u;
        this.bias = bias;
    }

    /** G, the filter transform of F(4x4, 3x3) (6x3). */
    private static final double[][] G = {
            {1 / 4.0, 0, 0},
            {-1 / 6.0, -1 / 6.0, -1 / 6.0},
            {-1 / 6.0, 1 / 6.0, -1 / 6.0},
            {1 / 24.0, 1 / 12.0, 1 / 6.0},
            {1 / 24.0, -1 / 12.0, 1 / 6.0},
            {0, 0, 1}};

    /**
     * For 3x3 weights laid out (cout, kPad) with tap index ci * 9 + ky * 3 + kx, and a bias (cout).
     * The filter is transformed in double and rounded once.
     */
    static ConvWinograd of(float[] weights, int kPad, float[] bias, int cout, int cin) {
        int nVec = (cout + V - 1) / V;
        int coPad = nVec * V;
        float[] u = new float[X * cin * coPad];
        double[] gg = new double[18];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int src = co * kPad + ci * 9;
                for (int r = 0; r < 6; r++) {
                    for (int c = 0; c < 3; c++) {
                        double s = 0;
                        for (int k = 0; k < 3; k++) {
                            s += G[r][k] * weights[src + k * 3 + c];
                        }
                        gg[r * 3 + c] = s;
                    }
                }
                for (int r = 0; r < 6; r++) {
                    for (int c = 0; c < 6; c++) {
                        double s = 0;
                        for (int k = 0; k < 3; k++) {
                            s += gg[r * 3 + k] * G[c][k];
                        }
                        u[((r * 6 + c) * cin + ci) * coPad + co] = (float) s;
                    }
                }
            }
        }
        float[] b = new float[coPad];
        System.arraycopy(bias, 0, b, 0, cout);
        return new ConvWinograd(cin, cout, u, b);
    }

    /**
     * out[:, channelOffset + co] = act(conv(x) + residual) for x (batch, cin, frames, h, w), out
     * (batch, outChannels, frames, h, w), residual (batch, cout, frames, h, w) or null.
     */
    void run(float[] in, int inOff, int batch, int frames, int h, int w, float[] out, int outOff, int outChannels,
             int channelOffset, float[] res, int resOff, Activation act) {
        int tilesX = (w + 3) / 4;
        int tilesY = (h + 3) / 4;
        int perImage = tilesX * tilesY;
        long ntLong = (long) batch * frames * perImage;
        if (ntLong == 0) {
            return;
        }
        int nt = Math.toIntExact(ntLong);
        int wanted = 4 * Runtime.getRuntime().availableProcessors();
        int tMax = Math.max(TB, Math.min(MAX_TILES, M_BUDGET / (X * coPad) / TB * TB));
        int t = tMax;
        if ((nt + tMax - 1) / tMax < wanted) {
            t = Math.max(TB, Math.min(tMax, ((nt + wanted - 1) / wanted + TB - 1) / TB * TB));
        }
        int tileTasks = (nt + t - 1) / t;
        int coBlocks = (nVec + NB - 1) / NB;
        int coSplit = tileTasks >= wanted ? 1 : Math.min(coBlocks, (wanted + tileTasks - 1) / tileTasks);
        int tiles = t;
        int tPad = (t + TB - 1) / TB * TB;
        int kc = Math.max(4, Math.min(cin, V_BUDGET / (X * tPad)));
        Geometry geo = new Geometry(frames, h, w, tilesX, perImage, inOff, outOff, outChannels, channelOffset,
                resOff);
        long flopsPerTask = 2L * X * cin * coPad * tPad / coSplit;
        Parallel.forRange(tileTasks * coSplit, flopsPerTask, task -> {
            int cs = task % coSplit;
            int tb = task / coSplit;
            int tile0 = tb * tiles;
            int count = Math.min(tiles, nt - tile0);
            int v0 = Math.min(nVec, cs * coBlocks / coSplit * NB);
            int v1 = Math.min(nVec, (cs + 1) * coBlocks / coSplit * NB);
            if (v0 < v1) {
                task(in, geo, tile0, count, tPad, kc, v0, v1, out, res, act);
            }
        });
    }

    /** Where one call's images lie: everything a task needs besides its tiles. */
    private record Geometry(int frames, int h, int w, int tilesX, int perImage, int inOff, int outOff,
                            int outChannels, int channelOffset, int resOff) {
    }

    /** Tiles [tile0, tile0 + count) and output channel vectors [v0, v1). */
    private void task(float[] in, Geometry geo, int tile0, int count, int tPad, int kc, int v0, int v1, float[] out,
                      float[] res, Activation act) {
        Scratch s = SCRATCH.get();
        float[] vb = s.v(X * kc * tPad);
        float[] mb = s.m(X * tPad * coPad);
        for (int xi = 0; xi < X; xi++) {
            int base = xi * tPad * coPad;
            for (int tt = 0; tt < tPad; tt++) {
                java.util.Arrays.fill(mb, base + tt * coPad + v0 * V, base + tt * coPad + v1 * V, 0f);
            }
        }
        for (int c0 = 0; c0 < cin; c0 += kc) {
            int n = Math.min(kc, cin - c0);
            for (int tt = 0; tt < tPad; tt++) {
                if (tt < count) {
                    transformInput(in, geo, tile0 + tt, c0, n, vb, kc, tPad, tt, s);
                } else {
                    for (int xi = 0; xi < X; xi++) {
                        for (int k = 0; k < n; k++) {
                            vb[(xi * kc + k) * tPad + tt] = 0f;
                        }
                    }
                }
            }
            for (int xi = 0; xi < X; xi++) {
                int vBase = xi * kc * tPad;
                for (int v = v0; v < v1; v += NB) {
                    int nv = Math.min(NB, v1 - v);
                    int uBase = (xi * cin + c0) * coPad + v * V;
                    for (int t0 = 0; t0 < tPad; t0 += TB) {
                        int mBase = (xi * tPad + t0) * coPad + v * V;
                        switch (nv) {
                            case 3 -> block3(u, uBase, coPad, vb, vBase + t0, tPad, n, mb, mBase, coPad);
                            case 2 -> block2(u, uBase, coPad, vb, vBase + t0, tPad, n, mb, mBase, coPad);
                            default -> block1(u, uBase, coPad, vb, vBase + t0, tPad, n, mb, mBase, coPad);
                        }
                    }
                }
            }
        }
        for (int tt = 0; tt < count; tt++) {
            for (int v = v0; v < v1; v++) {
                transformOutput(mb, tPad, tt, v, s);
                store(s.tile, geo, tile0 + tt, v, out, res, act);
            }
        }
    }

    /**
     * B^T d B of tile {@code tile}'s 6x6 patch for input channels [c0, c0 + n), into
     * vb[(xi * ldk + k) * tPad + tt]. Patch pixels outside the image are the zero padding.
     */
    private void transformInput(float[] in, Geometry geo, int tile, int c0, int n, float[] vb, int ldk, int tPad,
                                int tt, Scratch s) {
        int img = tile / geo.perImage;
        int rem = tile - img * geo.perImage;
        int ty = rem / geo.tilesX;
        int tx = rem - ty * geo.tilesX;
        int b = img / geo.frames;
        int f = img - b * geo.frames;
        int h = geo.h;
        int w = geo.w;
        int y0 = 4 * ty - 1;
        int x0 = 4 * tx - 1;
        int hw = h * w;
        boolean inside = y0 >= 0 && x0 >= 0 && y0 + 6 <= h && x0 + 6 <= w;
        float[] d = s.d;
        float[] e = s.e;
        for (int k = 0; k < n; k++) {
            int plane = geo.inOff + ((b * cin + c0 + k) * geo.frames + f) * hw;
            if (inside) {
                int p = plane + y0 * w + x0;
                for (int r = 0; r < 6; r++) {
                    System.arraycopy(in, p + r * w, d, r * 6, 6);
                }
            } else {
                for (int r = 0; r < 6; r++) {
                    int y = y0 + r;
                    for (int c = 0; c < 6; c++) {
                        int x = x0 + c;
                        d[r * 6 + c] = y >= 0 && y < h && x >= 0 && x < w ? in[plane + y * w + x] : 0f;
                    }
                }
            }
            // B^T d: combine rows, column by column
            for (int c = 0; c < 6; c++) {
                float d0 = d[c];
                float d1 = d[6 + c];
                float d2 = d[12 + c];
                float d3 = d[18 + c];
                float d4 = d[24 + c];
                float d5 = d[30 + c];
                e[c] = 4 * d0 - 5 * d2 + d4;
                e[6 + c] = (d3 + d4) - 4 * (d1 + d2);
                e[12 + c] = 4 * (d1 - d2) + (d4 - d3);
                e[18 + c] = 2 * (d3 - d1) + (d4 - d2);
                e[24 + c] = 2 * (d1 - d3) + (d4 - d2);
                e[30 + c] = 4 * d1 - 5 * d3 + d5;
            }
            // (B^T d) B: combine columns, row by row
            int o = k * tPad + tt;
            int step = ldk * tPad;
            for (int r = 0; r < 6; r++) {
                float d0 = e[r * 6];
                float d1 = e[r * 6 + 1];
                float d2 = e[r * 6 + 2];
                float d3 = e[r * 6 + 3];
                float d4 = e[r * 6 + 4];
                float d5 = e[r * 6 + 5];
                int xi = r * 6;
                vb[o + xi * step] = 4 * d0 - 5 * d2 + d4;
                vb[o + (xi + 1) * step] = (d3 + d4) - 4 * (d1 + d2);
                vb[o + (xi + 2) * step] = 4 * (d1 - d2) + (d4 - d3);
                vb[o + (xi + 3) * step] = 2 * (d3 - d1) + (d4 - d2);
                vb[o + (xi + 4) * step] = 2 * (d1 - d3) + (d4 - d2);
                vb[o + (xi + 5) * step] = 4 * d1 - 5 * d3 + d5;
            }
        }
    }

    /**
     * A^T m A for tile tt and output channel vector v, plus the bias: s.tile[(i * 4 + j) * V + lane]
     * is output pixel (i, j) of the tile for channel v * V + lane.
     */
    private void transformOutput(float[] mb, int tPad, int tt, int v, Scratch s) {
        float[] rows = s.rows;
        int ld = tPad * coPad;
        int base = tt * coPad + v * V;
        // m A: combine the 6 columns of each of the 6 rows into 4
        for (int r = 0; r < 6; r++) {
            int p = base + r * 6 * ld;
            FloatVector m0 = FloatVector.fromArray(S, mb, p);
            FloatVector m1 = FloatVector.fromArray(S, mb, p + ld);
            FloatVector m2 = FloatVector.fromArray(S, mb, p + 2 * ld);
            FloatVector m3 = FloatVector.fromArray(S, mb, p + 3 * ld);
            FloatVector m4 = FloatVector.fromArray(S, mb, p + 4 * ld);
            FloatVector m5 = FloatVector.fromArray(S, mb, p + 5 * ld);
            FloatVector a = m1.add(m2);
            FloatVector bb = m1.sub(m2);
            FloatVector c = m3.add(m4);
            FloatVector dd = m3.sub(m4);
            a.add(m0).add(c).intoArray(rows, (r * 4) * V);
            dd.mul(2f).add(bb).intoArray(rows, (r * 4 + 1) * V);
            c.mul(4f).add(a).intoArray(rows, (r * 4 + 2) * V);
            dd.mul(8f).add(bb).add(m5).intoArray(rows, (r * 4 + 3) * V);
        }
        // A^T (m A): combine the 6 rows into 4, column by column
        FloatVector bv = FloatVector.fromArray(S, bias, v * V);
        float[] tile = s.tile;
        for (int j = 0; j < 4; j++) {
            FloatVector m0 = FloatVector.fromArray(S, rows, j * V);
            FloatVector m1 = FloatVector.fromArray(S, rows, (4 + j) * V);
            FloatVector m2 = FloatVector.fromArray(S, rows, (8 + j) * V);
            FloatVector m3 = FloatVector.fromArray(S, rows, (12 + j) * V);
            FloatVector m4 = FloatVector.fromArray(S, rows, (16 + j) * V);
            FloatVector m5 = FloatVector.fromArray(S, rows, (20 + j) * V);
            FloatVector a = m1.add(m2);
            FloatVector bb = m1.sub(m2);
            FloatVector c = m3.add(m4);
            FloatVector dd = m3.sub(m4);
            a.add(m0).add(c).add(bv).intoArray(tile, j * V);
            dd.mul(2f).add(bb).add(bv).intoArray(tile, (4 + j) * V);
            c.mul(4f).add(a).add(bv).intoArray(tile, (8 + j) * V);
            dd.mul(8f).add(bb).add(m5).add(bv).intoArray(tile, (12 + j) * V);
        }
    }

    /** The tile's outputs inside the image, for the real channels of vector v: residual, activation, store. */
    private void store(float[] tile, Geometry geo, int t, int v, float[] out, float[] res, Activation act) {
        int img = t / geo.perImage;
        int rem = t - img * geo.perImage;
        int ty = rem / geo.tilesX;
        int tx = rem - ty * geo.tilesX;
        int b = img / geo.frames;
        int f = img - b * geo.frames;
        int h = geo.h;
        int w = geo.w;
        int hw = h * w;
        int rows = Math.min(4, h - 4 * ty);
        int cols = Math.min(4, w - 4 * tx);
        int lanes = Math.min(V, cout - v * V);
        int pix0 = 4 * ty * w + 4 * tx;
        for (int l = 0; l < lanes; l++) {
            int co = v * V + l;
            int o = geo.outOff + ((b * geo.outChannels + geo.channelOffset + co) * geo.frames + f) * hw + pix0;
            int r = geo.resOff + ((b * cout + co) * geo.frames + f) * hw + pix0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    float val = tile[(i * 4 + j) * V + l];
                    if (res != null) {
                        val += res[r + i * w + j];
                    }
                    out[o + i * w + j] = scalar(val, act);
                }
            }
        }
    }

    /** As ConvDirect's epilogue: Math.max, so that NaN passes through ReLU as in PyTorch. */
    private static float scalar(float v, Activation act) {
        return switch (act) {
            case RELU -> Math.max(v, 0f);
            case LEAKY_RELU_0_2 -> Math.max(v, 0.2f * v);
            default -> act.apply(v);
        };
    }

    /**
     * m[t][0..3V) += sum over k < n of vb[k][t] u[k][0..3V) for the 4 tiles t of a register block:
     * u rows at stride ldu, vb rows at stride ldv, m rows at stride ldm. One flat loop over k, so
     * that C2 keeps the 12 accumulators in registers (see ConvDirect's offsets).
     */
    private static void block3(float[] u, int uBase, int ldu, float[] vb, int vBase, int ldv, int n, float[] m,
                               int mBase, int ldm) {
        FloatVector c00 = FloatVector.fromArray(S, m, mBase);
        FloatVector c01 = FloatVector.fromArray(S, m, mBase + V);
        FloatVector c02 = FloatVector.fromArray(S, m, mBase + 2 * V);
        FloatVector c10 = FloatVector.fromArray(S, m, mBase + ldm);
        FloatVector c11 = FloatVector.fromArray(S, m, mBase + ldm + V);
        FloatVector c12 = FloatVector.fromArray(S, m, mBase + ldm + 2 * V);
        FloatVector c20 = FloatVector.fromArray(S, m, mBase + 2 * ldm);
        FloatVector c21 = FloatVector.fromArray(S, m, mBase + 2 * ldm + V);
        FloatVector c22 = FloatVector.fromArray(S, m, mBase + 2 * ldm + 2 * V);
        FloatVector c30 = FloatVector.fromArray(S, m, mBase + 3 * ldm);
        FloatVector c31 = FloatVector.fromArray(S, m, mBase + 3 * ldm + V);
        FloatVector c32 = FloatVector.fromArray(S, m, mBase + 3 * ldm + 2 * V);
        for (int k = 0; k < n; k++) {
            int ui = uBase + k * ldu;
            FloatVector b0 = FloatVector.fromArray(S, u, ui);
            FloatVector b1 = FloatVector.fromArray(S, u, ui + V);
            FloatVector b2 = FloatVector.fromArray(S, u, ui + 2 * V);
            int vi = vBase + k * ldv;
            FloatVector a = FloatVector.broadcast(S, vb[vi]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            c02 = b2.fma(a, c02);
            a = FloatVector.broadcast(S, vb[vi + 1]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            c12 = b2.fma(a, c12);
            a = FloatVector.broadcast(S, vb[vi + 2]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            c22 = b2.fma(a, c22);
            a = FloatVector.broadcast(S, vb[vi + 3]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            c32 = b2.fma(a, c32);
        }
        c00.intoArray(m, mBase);
        c01.intoArray(m, mBase + V);
        c02.intoArray(m, mBase + 2 * V);
        c10.intoArray(m, mBase + ldm);
        c11.intoArray(m, mBase + ldm + V);
        c12.intoArray(m, mBase + ldm + 2 * V);
        c20.intoArray(m, mBase + 2 * ldm);
        c21.intoArray(m, mBase + 2 * ldm + V);
        c22.intoArray(m, mBase + 2 * ldm + 2 * V);
        c30.intoArray(m, mBase + 3 * ldm);
        c31.intoArray(m, mBase + 3 * ldm + V);
        c32.intoArray(m, mBase + 3 * ldm + 2 * V);
    }

    /** {@link #block3} for the last two vectors of channels. */
    private static void block2(float[] u, int uBase, int ldu, float[] vb, int vBase, int ldv, int n, float[] m,
                               int mBase, int ldm) {
        FloatVector c00 = FloatVector.fromArray(S, m, mBase);
        FloatVector c01 = FloatVector.fromArray(S, m, mBase + V);
        FloatVector c10 = FloatVector.fromArray(S, m, mBase + ldm);
        FloatVector c11 = FloatVector.fromArray(S, m, mBase + ldm + V);
        FloatVector c20 = FloatVector.fromArray(S, m, mBase + 2 * ldm);
        FloatVector c21 = FloatVector.fromArray(S, m, mBase + 2 * ldm + V);
        FloatVector c30 = FloatVector.fromArray(S, m, mBase + 3 * ldm);
        FloatVector c31 = FloatVector.fromArray(S, m, mBase + 3 * ldm + V);
        for (int k = 0; k < n; k++) {
            int ui = uBase + k * ldu;
            FloatVector b0 = FloatVector.fromArray(S, u, ui);
            FloatVector b1 = FloatVector.fromArray(S, u, ui + V);
            int vi = vBase + k * ldv;
            FloatVector a = FloatVector.broadcast(S, vb[vi]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, vb[vi + 1]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, vb[vi + 2]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, vb[vi + 3]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
        }
        c00.intoArray(m, mBase);
        c01.intoArray(m, mBase + V);
        c10.intoArray(m, mBase + ldm);
        c11.intoArray(m, mBase + ldm + V);
        c20.intoArray(m, mBase + 2 * ldm);
        c21.intoArray(m, mBase + 2 * ldm + V);
        c30.intoArray(m, mBase + 3 * ldm);
        c31.intoArray(m, mBase + 3 * ldm + V);
    }

    /** {@link #block3} for the last vector of channels. */
    private static void block1(float[] u, int uBase, int ldu, float[] vb, int vBase, int ldv, int n, float[] m,
                               int mBase, int ldm) {
        FloatVector c0 = FloatVector.fromArray(S, m, mBase);
        FloatVector c1 = FloatVector.fromArray(S, m, mBase + ldm);
        FloatVector c2 = FloatVector.fromArray(S, m, mBase + 2 * ldm);
        FloatVector c3 = FloatVector.fromArray(S, m, mBase + 3 * ldm);
        for (int k = 0; k < n; k++) {
            FloatVector b0 = FloatVector.fromArray(S, u, uBase + k * ldu);
            int vi = vBase + k * ldv;
            c0 = b0.fma(FloatVector.broadcast(S, vb[vi]), c0);
            c1 = b0.fma(FloatVector.broadcast(S, vb[vi + 1]), c1);
            c2 = b0.fma(FloatVector.broadcast(S, vb[vi + 2]), c2);
            c3 = b0.fma(FloatVector.broadcast(S, vb[vi + 3]), c3);
        }
        c0.intoArray(m, mBase);
        c1.intoArray(m, mBase + ldm);
        c2.intoArray(m, mBase + 2 * ldm);
        c3.intoArray(m, mBase + 3 * ldm);
    }
}
