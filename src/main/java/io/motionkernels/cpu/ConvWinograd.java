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
 * at most 3.2e-6 (ConvWinogradTest; 8.4e-7 for the direct kernel), well inside the 1e-4 reference
 * bound. F(6x6, 3x3) would save another 1.8x of the GEMM, but its transforms' larger constants
 * (the points +-1/2, +-2 and their reciprocals) are known to amplify float32 rounding by about an
 * order of magnitude more (Barabasz et al., 2020); it is not implemented, so not measured here. The sum over input channels runs in the same order whatever the tile block and
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
    private static final int M_BUDGET = 1 << 18;
    /** Floats of the per-task transformed input chunk (36 x channels x tiles). */
    private static final int V_BUDGET = 1 << 17;
    /** Most tiles per task. */
    private static final int MAX_TILES = 64;

    private final int cin;
    private final int cout;
    /** Vectors of output channels: cout rounded up to whole vectors. */
    private final int nVec;
    private final int coPad;
    /**
     * Transformed filter, zero past cout: for each transform coordinate xi, the register blocks of
     * NB vectors of output channels one after another, each [ci][its NB * V channels] (the last
     * block narrower), so that a block's GEMM streams one contiguous run of memory. (As
     * [xi][ci][coPad] it read 192 bytes every coPad floats: a 512-channel layer at 16x16, where
     * each call streams its 38 MB of U from memory, ran its GEMMs at 22 GFLOP/s.)
     */
    private final float[] u;
    /** Bias, zero past cout. */
    private final float[] bias;

    /**
     * Floats per phase row of the input row buffer: the V + 1 columns of one phase (column modulo
     * 4) that V tiles read, and slack to a whole vector from offset 1.
     */
    private static final int RBP = V + 4;
    /** Channels whose rows are split before the first of them is transformed. */
    private static final int GROUP = 8;

    /** Per-thread buffers; a task never forks while it holds them, so no two tasks share one. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] v = new float[0];
        float[] m = new float[0];
        /** 6 input rows of up to V tiles, with their padding: see transformInput. */
        final float[] rows6 = new float[GROUP * 24 * RBP];
        final float[] e = new float[X * V];
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
                        u[uIndex(r * 6 + c, ci, co, cin, nVec)] = (float) s;
                    }
                }
            }
        }
        float[] b = new float[coPad];
        System.arraycopy(bias, 0, b, 0, cout);
        return new ConvWinograd(cin, cout, u, b);
    }

    /** Where U holds coordinate xi, input channel ci, output channel co: see {@link #u}. */
    private static int uIndex(int xi, int ci, int co, int cin, int nVec) {
        int block = co / V / NB;
        int width = Math.min(NB, nVec - block * NB) * V;
        return xi * cin * nVec * V + block * NB * V * cin + ci * width + co - block * NB * V;
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
        int wanted = 4 * Parallel.workers();
        // Many tiles per task, since each task streams its channels' transformed filter once (T / 2
        // FLOPs a byte); the cores get work from splitting the output channels first, which repeats
        // only the cheap input transform, and from smaller tile blocks last.
        int tMax = Math.max(TB, Math.min(MAX_TILES, M_BUDGET / (X * coPad) / TB * TB));
        int t = Math.min(tMax, (nt + TB - 1) / TB * TB);
        int tileTasks = (nt + t - 1) / t;
        int coBlocks = (nVec + NB - 1) / NB;
        int coSplit = Math.min(coBlocks, (wanted + tileTasks - 1) / tileTasks);
        if (tileTasks * coSplit < wanted) {
            int blocks = (wanted + coSplit - 1) / coSplit;
            t = Math.max(TB, Math.min(t, ((nt + blocks - 1) / blocks + TB - 1) / TB * TB));
            tileTasks = (nt + t - 1) / t;
        }
        int tiles = t;
        int tPad = (t + TB - 1) / TB * TB;
        int kc = Math.max(4, Math.min(cin, V_BUDGET / (X * (tPad + V))));
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
        // a row of vb holds tPad tiles and a vector of slack, which a segment's full-width store may fill
        int ldt = tPad + V;
        float[] vb = s.v(X * kc * ldt);
        float[] mb = s.m(X * tPad * coPad);
        for (int c0 = 0; c0 < cin; c0 += kc) {
            int n = Math.min(kc, cin - c0);
            // tiles past count (up to tPad) keep stale values: their rows of M are never read
            for (int tt = 0; tt < count; ) {
                tt += transformInput(in, geo, tile0 + tt, count - tt, c0, n, vb, ldt, kc, tt, s);
            }
            for (int xi = 0; xi < X; xi++) {
                int vBase = xi * kc * ldt;
                for (int v = v0; v < v1; v += NB) {
                    int nv = Math.min(NB, v1 - v);
                    int ldu = nv * V;
                    int uBase = uIndex(xi, c0, v * V, cin, nVec);
                    for (int t0 = 0; t0 < tPad; t0 += TB) {
                        int mBase = (xi * tPad + t0) * coPad + v * V;
                        switch (nv) {
                            case 3 -> block3(u, uBase, ldu, vb, vBase + t0, ldt, n, mb, mBase, coPad, c0 > 0);
                            case 2 -> block2(u, uBase, ldu, vb, vBase + t0, ldt, n, mb, mBase, coPad, c0 > 0);
                            default -> block1(u, uBase, ldu, vb, vBase + t0, ldt, n, mb, mBase, coPad, c0 > 0);
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
     * B^T d B of the 6x6 patches of up to V tiles of one tile row, starting at tile {@code tile}
     * (at most {@code most} of them), for input channels [c0, c0 + n), into vb[(xi * kc + k) * ldt
     * + tt + lane]: the tiles along the vector lanes. Returns how many tiles it did.
     *
     * <p>Per channel, the 6 input rows the tiles cover are copied into a row buffer with the zero
     * padding around them, split by column modulo 4: the patches of neighbouring tiles start 4
     * columns apart, so column c of every tile's patch is then one contiguous vector (phase c % 4,
     * shifted by c / 4), and both passes of the transform are vector arithmetic. (Gathers of
     * stride 4 would do the same without the split, but JDK 17 does not compile them to vector
     * instructions: 20 to 50 ns each.)
     */
    private int transformInput(float[] in, Geometry geo, int tile, int most, int c0, int n, float[] vb, int ldt,
                               int kc, int tt, Scratch s) {
        int img = tile / geo.perImage;
        int rem = tile - img * geo.perImage;
        int ty = rem / geo.tilesX;
        int tx = rem - ty * geo.tilesX;
        int len = Math.min(V, Math.min(most, geo.tilesX - tx));
        int b = img / geo.frames;
        int f = img - b * geo.frames;
        int h = geo.h;
        int w = geo.w;
        int y0 = 4 * ty - 1;
        int x0 = 4 * tx - 1;
        int hw = h * w;
        // the buffer columns the tiles read: x0 .. x0 + 4 * len + 1, clipped to the image
        int width = 4 * len + 2;
        int from = Math.max(0, -x0);
        int to = Math.min(width, w - x0);
        float[] rb = s.rows6;
        float[] e = s.e;
        for (int k = 0; k < n; k++) {
            // split GROUP channels ahead of the one transformed: a vector load of floats just
            // stored one by one would wait for the stores (no store-to-load forwarding)
            if (k % GROUP == 0) {
                for (int kk = k; kk < Math.min(n, k + GROUP); kk++) {
                    splitRows(in, geo.inOff + ((b * cin + c0 + kk) * geo.frames + f) * hw, y0, x0, h, w, width, from,
                            to, rb, (kk % GROUP) * 24 * RBP);
                }
            }
            transformRows(rb, (k % GROUP) * 24 * RBP, e);
            transformColumns(e, vb, k * ldt + tt, kc * ldt);
        }
        return len;
    }

    /*
     * The two passes of the input transform are methods of their own, and no vector crosses a call:
     * inlined into one body with the row split they made a graph big enough for C2 to stop inlining
     * (NodeCountInliningCutoff), after which some of the Vector API's intrinsics failed and every
     * vector was boxed on the heap (43 MB a call and 2.6x the time for a 45-channel 256x256 layer,
     * whenever the direct kernel had been compiled first, as in every model).
     */

    /** B^T d: combines the 6 patch rows of split channel buffer g, column by column, into e. */
    private static void transformRows(float[] rb, int g, float[] e) {
        // column c of row r is phase c % 4 from c / 4
        for (int c = 0; c < 6; c++) {
            int q = g + (c & 3) * RBP + (c >> 2);
            FloatVector d0 = FloatVector.fromArray(S, rb, q);
            FloatVector d1 = FloatVector.fromArray(S, rb, 4 * RBP + q);
            FloatVector d2 = FloatVector.fromArray(S, rb, 8 * RBP + q);
            FloatVector d3 = FloatVector.fromArray(S, rb, 12 * RBP + q);
            FloatVector d4 = FloatVector.fromArray(S, rb, 16 * RBP + q);
            FloatVector d5 = FloatVector.fromArray(S, rb, 20 * RBP + q);
            FloatVector d34 = d3.add(d4);
            FloatVector d42 = d4.sub(d2);
            d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(e, c * V);
            d34.sub(d1.add(d2).mul(4f)).intoArray(e, (6 + c) * V);
            d1.sub(d2).mul(4f).add(d4.sub(d3)).intoArray(e, (12 + c) * V);
            d3.sub(d1).mul(2f).add(d42).intoArray(e, (18 + c) * V);
            d1.sub(d3).mul(2f).add(d42).intoArray(e, (24 + c) * V);
            d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(e, (30 + c) * V);
        }
    }

    /** (B^T d) B: combines e's columns, row by row, into vb from o, transform coordinates step apart. */
    private static void transformColumns(float[] e, float[] vb, int o, int step) {
        for (int r = 0; r < 6; r++) {
            FloatVector d0 = FloatVector.fromArray(S, e, (r * 6) * V);
            FloatVector d1 = FloatVector.fromArray(S, e, (r * 6 + 1) * V);
            FloatVector d2 = FloatVector.fromArray(S, e, (r * 6 + 2) * V);
            FloatVector d3 = FloatVector.fromArray(S, e, (r * 6 + 3) * V);
            FloatVector d4 = FloatVector.fromArray(S, e, (r * 6 + 4) * V);
            FloatVector d5 = FloatVector.fromArray(S, e, (r * 6 + 5) * V);
            FloatVector d34 = d3.add(d4);
            FloatVector d42 = d4.sub(d2);
            int q = o + r * 6 * step;
            d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(vb, q);
            d34.sub(d1.add(d2).mul(4f)).intoArray(vb, q + step);
            d1.sub(d2).mul(4f).add(d4.sub(d3)).intoArray(vb, q + 2 * step);
            d3.sub(d1).mul(2f).add(d42).intoArray(vb, q + 3 * step);
            d1.sub(d3).mul(2f).add(d42).intoArray(vb, q + 4 * step);
            d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(vb, q + 5 * step);
        }
    }

    /**
     * One channel's 6 patch rows from row y0 and column x0, split by column modulo 4 into rb at
     * base: phase p of row r holds columns x0 + p, x0 + p + 4, ..., zero outside [from, to).
     * One loop per phase, so that the stores are sequential.
     */
    private static void splitRows(float[] in, int plane, int y0, int x0, int h, int w, int width, int from, int to,
                                  float[] rb, int base) {
        for (int r = 0; r < 6; r++) {
            int y = y0 + r;
            boolean rowIn = y >= 0 && y < h;
            int row = plane + y * w + x0;
            for (int p = 0; p < 4; p++) {
                int dst = base + (r * 4 + p) * RBP;
                int n = (width - p + 3) >> 2;
                int j0 = rowIn ? Math.min(n, Math.max(0, (from - p + 3) >> 2)) : n;
                int j1 = rowIn ? Math.max(j0, Math.min(n, (to - p + 3) >> 2)) : n;
                for (int j = 0; j < j0; j++) {
                    rb[dst + j] = 0f;
                }
                int src = row + p;
                for (int j = j0; j < j1; j++) {
                    rb[dst + j] = in[src + 4 * j];
                }
                for (int j = j1; j < n; j++) {
                    rb[dst + j] = 0f;
                }
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
     * m[t][0..3V) (+)= sum over k < n of vb[k][t] u[k][0..3V) for the 4 tiles t of a register block
     * (adding to m's values when {@code add}, else replacing them):
     * u rows at stride ldu, vb rows at stride ldv, m rows at stride ldm. One flat loop over k, so
     * that C2 keeps the 12 accumulators in registers (see ConvDirect's offsets).
     */
    private static void block3(float[] u, int uBase, int ldu, float[] vb, int vBase, int ldv, int n, float[] m,
                               int mBase, int ldm, boolean add) {
        FloatVector c00 = add ? FloatVector.fromArray(S, m, mBase) : FloatVector.zero(S);
        FloatVector c01 = add ? FloatVector.fromArray(S, m, mBase + V) : FloatVector.zero(S);
        FloatVector c02 = add ? FloatVector.fromArray(S, m, mBase + 2 * V) : FloatVector.zero(S);
        FloatVector c10 = add ? FloatVector.fromArray(S, m, mBase + ldm) : FloatVector.zero(S);
        FloatVector c11 = add ? FloatVector.fromArray(S, m, mBase + ldm + V) : FloatVector.zero(S);
        FloatVector c12 = add ? FloatVector.fromArray(S, m, mBase + ldm + 2 * V) : FloatVector.zero(S);
        FloatVector c20 = add ? FloatVector.fromArray(S, m, mBase + 2 * ldm) : FloatVector.zero(S);
        FloatVector c21 = add ? FloatVector.fromArray(S, m, mBase + 2 * ldm + V) : FloatVector.zero(S);
        FloatVector c22 = add ? FloatVector.fromArray(S, m, mBase + 2 * ldm + 2 * V) : FloatVector.zero(S);
        FloatVector c30 = add ? FloatVector.fromArray(S, m, mBase + 3 * ldm) : FloatVector.zero(S);
        FloatVector c31 = add ? FloatVector.fromArray(S, m, mBase + 3 * ldm + V) : FloatVector.zero(S);
        FloatVector c32 = add ? FloatVector.fromArray(S, m, mBase + 3 * ldm + 2 * V) : FloatVector.zero(S);
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
                               int mBase, int ldm, boolean add) {
        FloatVector c00 = add ? FloatVector.fromArray(S, m, mBase) : FloatVector.zero(S);
        FloatVector c01 = add ? FloatVector.fromArray(S, m, mBase + V) : FloatVector.zero(S);
        FloatVector c10 = add ? FloatVector.fromArray(S, m, mBase + ldm) : FloatVector.zero(S);
        FloatVector c11 = add ? FloatVector.fromArray(S, m, mBase + ldm + V) : FloatVector.zero(S);
        FloatVector c20 = add ? FloatVector.fromArray(S, m, mBase + 2 * ldm) : FloatVector.zero(S);
        FloatVector c21 = add ? FloatVector.fromArray(S, m, mBase + 2 * ldm + V) : FloatVector.zero(S);
        FloatVector c30 = add ? FloatVector.fromArray(S, m, mBase + 3 * ldm) : FloatVector.zero(S);
        FloatVector c31 = add ? FloatVector.fromArray(S, m, mBase + 3 * ldm + V) : FloatVector.zero(S);
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
                               int mBase, int ldm, boolean add) {
        FloatVector c0 = add ? FloatVector.fromArray(S, m, mBase) : FloatVector.zero(S);
        FloatVector c1 = add ? FloatVector.fromArray(S, m, mBase + ldm) : FloatVector.zero(S);
        FloatVector c2 = add ? FloatVector.fromArray(S, m, mBase + 2 * ldm) : FloatVector.zero(S);
        FloatVector c3 = add ? FloatVector.fromArray(S, m, mBase + 3 * ldm) : FloatVector.zero(S);
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
