package io.motionkernels.cpu;

import io.motionkernels.engine.Padding;

import io.motionkernels.engine.Activation;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The Vector API convolution: a direct convolution over a zero-padded copy of the input, with no
 * im2col matrix.
 *
 * <p>Each frame is copied once into a plane padded on every side ({@code wp} floats a row), frames
 * of one channel back to back. Input pixel (f, y, x) gets the position q = f * planeP + y * wp + x,
 * and tap (ty, tx) of the output computed at q reads the padded copy at q + ty * wp + tx: the im2col
 * row of a tap is the padded channel shifted by a constant, so the GEMM reads its right operand
 * straight from the padded copy. Positions that fall in the padding columns and rows are computed
 * too and thrown away (3% more work at 64x64, 25% at 8x8), which costs less than packing 9 shifted
 * copies of the input.
 *
 * <p>A convolution of an input upsampled x2 (nearest) is not computed at the upsampled size: each
 * of the four output phases (even or odd row, even or odd column) reads the low-resolution input
 * through a smaller kernel whose weights are sums of the original ones (a 3x3 kernel becomes four
 * 2x2 kernels), which is 2.25x less arithmetic and a 4x smaller padded copy. Summing the weights
 * first rounds differently from multiplying each copy of a pixel; the difference is of the order
 * of float32 rounding.
 *
 * <p>The register block is 4 output channels by 3 vectors of positions: 12 accumulators stay in
 * registers for the whole reduction (every tap of every input channel), so each loaded input vector
 * feeds four FMAs and each broadcast weight three, and the output is written once, with the bias,
 * residual and activation applied on the way. 12 accumulators, 3 input vectors and a broadcast fill
 * the 16 AVX2 registers; on a Zen 5 core with AVX-512 the kernel runs at about 240 GFLOP/s, and in
 * a microbenchmark 6 x 4 blocks were within 2% of it and 8 x 3 blocks slower. Images whose positions fill at most two vectors run the
 * same kernels transposed, output channels along the vectors (see multiplyTransposed).
 *
 * <p>Immutable after construction (the phase weights are built on first use) and safe to share
 * between threads.
 */
final class ConvDirect {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Output channels per register block. */
    static final int MR = 4;
    /** Positions per register block. */
    private static final int QB = 3 * V;
    /** Most floats of padded input built per step; more frames are done a chunk at a time. Tests lower it. */
    static volatile int maxPaddedFloats = 1 << 24;

    private final float[] weights;
    private final int kPad;
    private final int groups;
    private final int cinG;
    private final int coutG;
    private final int kh;
    private final int kw;
    /** Register blocks of output channels per group. */
    private final int blocks;
    /** Bias as [group][block][MR], zero past coutG. */
    private final float[] bias;
    /** The kernel as it is, for inputs at their own size. */
    private final Pass direct;
    private final Pass[] directPasses;
    /** The offset tables of the last call's geometry. */
    private volatile Offsets lastOffsets;
    /** The transposed kernels' row offsets of the last call (i * QB for k taps): k repeats from call to call. */
    private volatile int[] lastRowOffsets;
    /**
     * One register block's results: a task fills it and stores it out before the next block, with
     * no parallel call in between, so a thread's tile is never used by two tasks at once.
     */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * QB]);
    /** The four phase kernels for inputs upsampled x2, built on first use. */
    private volatile Pass[] phases;

    /**
     * Packed weights of one kernel, [group][block][input channel][tap][MR] and zero past coutG, with
     * where each tap reads relative to a position, and which output row and column phase it writes.
     */
    private final class Pass {
        final float[] a;
        final int[] tapY;
        final int[] tapX;
        final int rowPhase;
        final int colPhase;
        /**
         * The same weights as [group][block of QB output channels][tap k][QB], zero past coutG; built
         * on first use. Each register block of the transposed GEMM streams one contiguous panel:
         * read as rows of all output channels (48 floats every 2 KB at 512 channels), a 512-channel
         * 4x4 convolution ran two to three times slower (bench/RESULTS.md, 2026-12-02).
         */
        private volatile float[] transposed;

        Pass(float[] a, int[] tapY, int[] tapX, int rowPhase, int colPhase) {
            this.a = a;
            this.tapY = tapY;
            this.tapX = tapX;
            this.rowPhase = rowPhase;
            this.colPhase = colPhase;
        }

        int taps() {
            return tapY.length;
        }

        float[] transposed() {
            float[] t = transposed;
            if (t == null) {
                // a race builds it twice at worst, identically; the field is only a cache
                int k = cinG * taps();
                int coBlocks = coBlocks(coutG);
                t = new float[groups * coBlocks * k * QB];
                for (int g = 0; g < groups; g++) {
                    for (int co = 0; co < coutG; co++) {
                        int src = (g * blocks + co / MR) * k * MR + co % MR;
                        int dst = (g * coBlocks + co / QB) * k * QB + co % QB;
                        for (int i = 0; i < k; i++) {
                            t[dst + i * QB] = a[src + i * MR];
                        }
                    }
                }
                transposed = t;
            }
            return t;
        }
    }

    /** Floats per row of transposed weights: the output channels rounded up to whole vectors. */
    private static int rowLength(int coutG) {
        return (coutG + V - 1) / V * V;
    }

    /** Register blocks of QB output channels in the transposed GEMM. */
    private static int coBlocks(int coutG) {
        return (rowLength(coutG) + QB - 1) / QB;
    }

    /** The width of the vectors this kernel computes with. */
    static int vectorBits() {
        return S.vectorBitSize();
    }

    private ConvDirect(float[] weights, int kPad, float[] bias, int cout, int cin, int kh, int kw, int groups) {
        this.weights = weights;
        this.kPad = kPad;
        this.groups = groups;
        this.cinG = cin / groups;
        this.coutG = cout / groups;
        this.kh = kh;
        this.kw = kw;
        this.blocks = (coutG + MR - 1) / MR;
        this.bias = new float[groups * blocks * MR];
        for (int g = 0; g < groups; g++) {
            for (int co = 0; co < coutG; co++) {
                this.bias[(g * blocks + co / MR) * MR + co % MR] = bias[g * coutG + co];
            }
        }
        this.direct = pass(1, 0, 0);
        this.directPasses = new Pass[] {direct};
    }

    /**
     * For weights laid out (cout, kPad) with tap index ci * kh * kw + ky * kw + kx, and a bias
     * (cout). The arrays are not copied: the caller must not change them.
     */
    static ConvDirect of(float[] weights, int kPad, float[] bias, int cout, int cin, int kh, int kw, int groups) {
        return new ConvDirect(weights, kPad, bias, cout, cin, kh, kw, groups);
    }

    /** Padding of the input copy on each side: the kernel's half-size, or for x2 upsampled inputs half that, rounded up. */
    private static int padFor(int k, int up) {
        return up == 1 ? k / 2 : (k / 2 + 1) / 2;
    }

    /**
     * The kernel for output rows of phase a and columns of phase b of an input upsampled by up
     * (1 or 2). Upsampled, output row 2i + a tap ky reads input row i + floor((a + ky - kh/2) / 2):
     * the taps falling on the same input row are summed into one.
     */
    private Pass pass(int up, int a, int b) {
        int py = kh / 2;
        int px = kw / 2;
        int loY = Math.floorDiv(a - py, up);
        int loX = Math.floorDiv(b - px, up);
        int ny = Math.floorDiv(a + py, up) - loY + 1;
        int nx = Math.floorDiv(b + px, up) - loX + 1;
        int taps = ny * nx;
        int[] tapY = new int[taps];
        int[] tapX = new int[taps];
        for (int t = 0; t < taps; t++) {
            tapY[t] = t / nx + loY + padFor(kh, up);
            tapX[t] = t % nx + loX + padFor(kw, up);
        }
        float[] packed = new float[groups * blocks * cinG * taps * MR];
        double[] sum = new double[taps];
        for (int g = 0; g < groups; g++) {
            for (int co = 0; co < coutG; co++) {
                int src = (g * coutG + co) * kPad;
                int blockBase = (g * blocks + co / MR) * cinG * taps * MR + co % MR;
                for (int ci = 0; ci < cinG; ci++) {
                    Arrays.fill(sum, 0);
                    for (int ky = 0; ky < kh; ky++) {
                        int r = Math.floorDiv(a + ky - py, up) - loY;
                        for (int kx = 0; kx < kw; kx++) {
                            int c = Math.floorDiv(b + kx - px, up) - loX;
                            sum[r * nx + c] += weights[src + (ci * kh + ky) * kw + kx];
                        }
                    }
                    for (int t = 0; t < taps; t++) {
                        packed[blockBase + (ci * taps + t) * MR] = (float) sum[t];
                    }
                }
            }
        }
        return new Pass(packed, tapY, tapX, a, b);
    }

    private Pass[] phases() {
        Pass[] p = phases;
        if (p == null) {
            // a race builds them twice at worst, identically; the field is only a cache
            p = new Pass[] {pass(2, 0, 0), pass(2, 0, 1), pass(2, 1, 0), pass(2, 1, 1)};
            phases = p;
        }
        return p;
    }

    /**
     * out[:, channelOffset + co] = act(conv(upsample(x, up)) + residual) for x (B, cin, D, h, w),
     * out (B, C, D, h * up, w * up), residual (B, cout, D, h * up, w * up) or null.
     */
    void run(float[] in, int inOff, int batch, int frames, int h, int w, int up, float[] out, int outOff,
             int outChannels, int channelOffset, float[] res, int resOff, Activation act) {
        Pass[] passes = up == 1 ? directPasses : phases();
        int padY = padFor(kh, up);
        int padX = padFor(kw, up);
        int wp = w + 2 * padX;
        int planeP = (h + 2 * padY) * wp;
        int cin = cinG * groups;
        int chunk = (int) Math.max(1, Math.min(frames, maxPaddedFloats / Math.max(1L, (long) groups * (cinG * planeP + V))));
        for (int b = 0; b < batch; b++) {
            for (int f0 = 0; f0 < frames; f0 += chunk) {
                Frames fr = new Frames(b, f0, Math.min(chunk, frames - f0), frames, h, w, up, padY, padX, inOff, outOff,
                        resOff);
                int[][] offsets = offsetTables(passes, fr);
                float[] p = ConvBuffers.take(groups * fr.itemLen);
                try {
                    pad(in, cin, fr, p);
                    if (fr.qr <= 2 * V && coutG >= 2 * V) {
                        multiplyTransposed(p, fr, passes, offsets, out, outChannels, channelOffset, res, act);
                    } else {
                        multiply(p, fr, passes, offsets, out, outChannels, channelOffset, res, act);
                    }
                } finally {
                    ConvBuffers.give(p);
                }
            }
        }
    }

    /**
     * Where tap k = (ci, t) of a pass reads, relative to the position: ci * ciStride + tapY * wp +
     * tapX. The kernels walk this table in one flat loop: with the reduction split into nested loops
     * over channels and taps, C2 (JDK 17) no longer kept the accumulators in registers and the
     * kernel ran 30x slower (8.6 against about 280 GFLOP/s on nemo's 45-channel convolution).
     */
    /** The offset tables of {@code passes} for fr's geometry: kept from the last call, which streaming repeats. */
    private int[][] offsetTables(Pass[] passes, Frames fr) {
        Offsets o = lastOffsets;
        if (o == null || o.passes != passes || o.ciStride != fr.ciStride || o.wp != fr.wp) {
            int[][] t = new int[passes.length][];
            for (int i = 0; i < passes.length; i++) {
                t[i] = offsets(passes[i], fr);
            }
            o = new Offsets(passes, fr.ciStride, fr.wp, t);
            lastOffsets = o; // a race computes the same tables twice at worst
        }
        return o.tables;
    }

    private int[] rowOffsets(int k) {
        int[] r = lastRowOffsets;
        if (r == null || r.length != k) {
            r = new int[k];
            for (int i = 0; i < k; i++) {
                r[i] = i * QB;
            }
            lastRowOffsets = r;
        }
        return r;
    }

    private record Offsets(Pass[] passes, int ciStride, int wp, int[][] tables) {
    }

    private int[] offsets(Pass pass, Frames fr) {
        int taps = pass.taps();
        int[] off = new int[cinG * taps];
        for (int ci = 0; ci < cinG; ci++) {
            for (int t = 0; t < taps; t++) {
                off[ci * taps + t] = ci * fr.ciStride + pass.tapY[t] * fr.wp + pass.tapX[t];
            }
        }
        return off;
    }

    /**
     * The geometry of one step: frames [f0, f0 + count) of batch item b, padded. The grid of
     * positions is the input (h, w); an output pixel is (up * y + rowPhase, up * x + colPhase)
     * for grid pixel (y, x).
     */
    private final class Frames {
        final int b, f0, count, frames, h, w, up, padY, padX, wp, planeP;
        /** Where the input, the output and the residual start in their arrays. */
        final int inOff, outOff, resOff;
        /** Floats between input channels in the padded copy. */
        final int ciStride;
        /** Floats of padded copy per group: its channels plus one vector that blocks may read past the end. */
        final int itemLen;
        /** Positions up to the last real pixel, and that rounded up to whole vectors. */
        final int q;
        final int qr;
        /** Output width, floats per output frame, and per output channel (all frames). */
        final int outW, outHw, nOut;

        Frames(int b, int f0, int count, int frames, int h, int w, int up, int padY, int padX, int inOff, int outOff,
               int resOff) {
            this.inOff = inOff;
            this.outOff = outOff;
            this.resOff = resOff;
            this.b = b;
            this.f0 = f0;
            this.count = count;
            this.frames = frames;
            this.h = h;
            this.w = w;
            this.up = up;
            this.padY = padY;
            this.padX = padX;
            this.wp = w + 2 * padX;
            this.planeP = (h + 2 * padY) * wp;
            this.ciStride = count * planeP;
            this.itemLen = cinG * ciStride + V;
            this.q = (count - 1) * planeP + (h - 1) * wp + w;
            this.qr = (q + V - 1) / V * V;
            this.outW = w * up;
            this.outHw = h * up * outW;
            this.nOut = frames * outHw;
        }

        /** The position of grid pixel (f, y, x) in the padded copy of one channel. */
        int position(int f, int y, int x) {
            return f * planeP + y * wp + x;
        }

        /** Index within an output channel of the output pixel that grid pixel (f, y, x) of a pass writes. */
        int pixel(Pass pass, int f, int y, int x) {
            return (f0 + f) * outHw + (up * y + pass.rowPhase) * outW + up * x + pass.colPhase;
        }

        /** Index in out of output channel co (of all groups) at pixel pix. */
        int outIndex(int outChannels, int channelOffset, int co, int pix) {
            return outOff + (b * outChannels + channelOffset + co) * nOut + pix;
        }

        /** Index in the residual, which has the convolution's own channels, of channel co at pixel pix. */
        int resIndex(int co, int pix) {
            return resOff + (b * groups * coutG + co) * nOut + pix;
        }
    }

    /**
     * Writes every float of the padded copy: the input framed by zeros, and the zero tail that the
     * last blocks read. The largest tap offset plus q is exactly ciStride (2 * pad rows and columns
     * past the last pixel), so blocks never read past a group's tail.
     */
    private void pad(float[] in, int cin, Frames fr, float[] p) {
        int inHw = fr.h * fr.w;
        int inPlane = fr.frames * inHw;
        Parallel.forRange(groups * cinG, (long) fr.ciStride, c -> {
            int g = c / cinG;
            int ci = c % cinG;
            int dst0 = g * fr.itemLen + ci * fr.ciStride;
            int src0 = fr.inOff + (fr.b * cin + c) * inPlane + fr.f0 * inHw;
            for (int f = 0; f < fr.count; f++) {
                int dst = dst0 + f * fr.planeP;
                int row = dst + fr.padY * fr.wp + fr.padX;
                // the top padding rows and the left padding of the first row
                Arrays.fill(p, dst, row, 0f);
                for (int y = 0; y < fr.h; y++, row += fr.wp) {
                    System.arraycopy(in, src0 + f * inHw + y * fr.w, p, row, fr.w);
                    // the right padding of this row and the left padding of the next are adjacent;
                    // after the last row this runs to the end of the plane (the bottom padding)
                    int padEnd = y + 1 < fr.h ? row + fr.wp : dst + fr.planeP;
                    for (int z = row + fr.w; z < padEnd; z++) {
                        p[z] = 0f;
                    }
                }
            }
            if (ci == cinG - 1) {
                int tail = g * fr.itemLen + cinG * fr.ciStride;
                Arrays.fill(p, tail, tail + V, 0f);
            }
        });
    }

    /**
     * Splits (pass, group, channel blocks, position blocks) into tasks. The weights of a group (A)
     * and its padded input (B) are both read once per task that covers them; with T tasks over q
     * position ranges and T / q channel ranges the traffic is about q * A + T / q * B, least at
     * q = sqrt(T * B / A).
     */
    private void multiply(float[] p, Frames fr, Pass[] passes, int[][] offsets, float[] out, int outChannels,
                          int channelOffset, float[] res, Activation act) {
        int qBlocks = (fr.qr + QB - 1) / QB;
        int items = passes.length * groups;
        int wanted = Math.max(1, 4 * Parallel.workers() / items);
        double aBytes = (double) blocks * MR * offsets[0].length;
        double bBytes = (double) cinG * fr.ciStride;
        int qSplit = (int) Math.max(1, Math.min(qBlocks, Math.round(Math.sqrt(wanted * bBytes / aBytes))));
        int coSplit = Math.max(1, Math.min(blocks, (wanted + qSplit - 1) / qSplit));
        int tasks = items * coSplit * qSplit;
        long flopsPerTask = 2L * blocks * MR * offsets[0].length * fr.qr / ((long) coSplit * qSplit);
        Parallel.forRange(tasks, flopsPerTask, task -> {
            int qs = task % qSplit;
            int rest = task / qSplit;
            int cs = rest % coSplit;
            rest /= coSplit;
            int g = rest % groups;
            Pass pass = passes[rest / groups];
            int[] off = offsets[rest / groups];
            int j0 = cs * blocks / coSplit;
            int j1 = (cs + 1) * blocks / coSplit;
            int s0 = qs * qBlocks / qSplit;
            int s1 = (qs + 1) * qBlocks / qSplit;
            float[] tile = TILE.get();
            // the operand re-read by the inner loop should be the smaller one, so that it stays cached
            boolean channelsInner = (double) (j1 - j0) / blocks * aBytes < (double) (s1 - s0) / qBlocks * bBytes;
            int outer = channelsInner ? s1 - s0 : j1 - j0;
            int inner = channelsInner ? j1 - j0 : s1 - s0;
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int j = channelsInner ? j0 + i : j0 + o;
                    int s = channelsInner ? s0 + o : s0 + i;
                    int q0 = s * QB;
                    int nv = Math.min(QB, fr.qr - q0) / V;
                    int blk = g * blocks + j;
                    accumulate(pass.a, blk * off.length * MR, p, g * fr.itemLen + q0, off, nv, tile);
                    store(tile, fr, pass, g, j, q0, nv * V, out, outChannels, channelOffset, res, act);
                }
            }
        });
    }

    /**
     * Images so small that their positions fill at most two vectors (4x4, and the 2x2 and 4x4
     * inputs of upsampling convolutions), where most of a position vector would be padding: the
     * GEMM runs transposed, with 4 positions as the broadcast rows and output channels along the
     * vectors. The same kernels do it: their left operand is then the im2col of the real
     * positions, gathered from the padded copy through the offsets, and their right operand the
     * transposed weights.
     */
    private void multiplyTransposed(float[] p, Frames fr, Pass[] passes, int[][] offsets, float[] out,
                                    int outChannels, int channelOffset, float[] res, Activation act) {
        int hw = fr.h * fr.w;
        int n = fr.count * hw;
        int posBlocks = (n + MR - 1) / MR;
        int k = offsets[0].length;
        int ldw = rowLength(coutG);
        int coBlocks = coBlocks(coutG);
        int items = passes.length * groups;
        int[] rowOffsets = rowOffsets(k);
        int xLen = posBlocks * k * MR;
        float[] x = ConvBuffers.take(items * xLen);
        try {
            // every float of x is written: the gathered taps, and zeros for positions past n
            Parallel.forRange(items * posBlocks, (long) k * MR, t -> {
                int item = t / posBlocks;
                int pb = t % posBlocks;
                int g = item % groups;
                int[] off = offsets[item / groups];
                int dst = item * xLen + pb * k * MR;
                for (int i = 0; i < MR; i++) {
                    int pos = pb * MR + i;
                    if (pos >= n) {
                        for (int j = 0; j < k; j++) {
                            x[dst + j * MR + i] = 0f;
                        }
                        continue;
                    }
                    int f = pos / hw;
                    int q = g * fr.itemLen + fr.position(f, (pos - f * hw) / fr.w, (pos - f * hw) % fr.w);
                    for (int j = 0; j < k; j++) {
                        x[dst + j * MR + i] = p[q + off[j]];
                    }
                }
            });
            int coSplit = Math.max(1, Math.min(coBlocks, 4 * Parallel.workers() / items));
            Parallel.forRange(items * coSplit, 2L * k * MR * QB * posBlocks * coBlocks / coSplit, t -> {
                int item = t / coSplit;
                int cs = t % coSplit;
                int g = item % groups;
                Pass pass = passes[item / groups];
                float[] wt = pass.transposed();
                float[] tile = TILE.get();
                for (int cb = cs * coBlocks / coSplit; cb < (cs + 1) * coBlocks / coSplit; cb++) {
                    int nv = Math.min(QB, ldw - cb * QB) / V;
                    for (int pb = 0; pb < posBlocks; pb++) {
                        accumulate(x, item * xLen + pb * k * MR, wt, (g * coBlocks + cb) * k * QB, rowOffsets, nv, tile);
                        storeTransposed(tile, fr, pass, g, cb * QB, Math.min(nv * V, coutG - cb * QB), pb * MR,
                                Math.min(MR, n - pb * MR), out, outChannels, channelOffset, res, act);
                    }
                }
            });
        } finally {
            ConvBuffers.give(x);
        }
    }

    /** tile[i][c] is output channel co0 + c at real position pos0 + i (frame, row, column of the grid). */
    private void storeTransposed(float[] tile, Frames fr, Pass pass, int g, int co0, int channels, int pos0,
                                 int positions, float[] out, int outChannels, int channelOffset, float[] res,
                                 Activation act) {
        int hw = fr.h * fr.w;
        for (int i = 0; i < positions; i++) {
            int pos = pos0 + i;
            int f = pos / hw;
            int pix = fr.pixel(pass, f, (pos - f * hw) / fr.w, (pos - f * hw) % fr.w);
            for (int c = 0; c < channels; c++) {
                int co = g * coutG + co0 + c;
                float v = tile[i * QB + c] + bias[g * blocks * MR + co0 + c];
                if (res != null) {
                    v += res[fr.resIndex(co, pix)];
                }
                out[fr.outIndex(outChannels, channelOffset, co, pix)] = scalar(v, act);
            }
        }
    }

    /**
     * v, as a vector whose class C2 knows exactly. An accumulator read after its loop is a loop phi,
     * typed only FloatVector while C2 parses the code after the loop; a method called on it is then
     * intrinsified only if the call site's type profile (shared by every caller of the Vector API
     * method, and filled in whatever order the JVM happened to run things) names one class. When it
     * does not, C2 boxes the accumulators and calls the Java fallback: 12 vector objects per register
     * block (49 KB per call of a 512-channel 4x4 convolution), and a speed that depends on the JVM.
     * A multiplication by one, with a freshly broadcast (exactly typed) receiver, gives the same
     * value with an exact type; it costs one instruction per accumulator per block.
     */
    private static FloatVector exact(FloatVector v) {
        return FloatVector.broadcast(S, 1f).mul(v);
    }

    /**
     * One register block: tile[i * QB + n] = the sum over taps and channels, for nv vectors. The
     * bias is added afterwards in both orientations, so that an output is rounded the same way
     * whichever way the GEMM ran (streaming one frame equals the same frame in a batch).
     */
    private static void accumulate(float[] a, int aBase, float[] p, int pBase, int[] offsets, int nv, float[] tile) {
        switch (nv) {
            case 3 -> block3(a, aBase, p, pBase, offsets, tile);
            case 2 -> block2(a, aBase, p, pBase, offsets, tile);
            default -> block1(a, aBase, p, pBase, offsets, tile);
        }
    }

    private static void block3(float[] a, int aBase, float[] p, int pBase, int[] offsets, float[] tile) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c10;
        FloatVector c12 = c10;
        FloatVector c20 = c00;
        FloatVector c21 = c20;
        FloatVector c22 = c20;
        FloatVector c30 = c00;
        FloatVector c31 = c30;
        FloatVector c32 = c30;
        for (int k = 0; k < offsets.length; k++) {
            int pi = pBase + offsets[k];
            FloatVector b0 = FloatVector.fromArray(S, p, pi);
            FloatVector b1 = FloatVector.fromArray(S, p, pi + V);
            FloatVector b2 = FloatVector.fromArray(S, p, pi + 2 * V);
            int ai = aBase + k * MR;
            FloatVector w = FloatVector.broadcast(S, a[ai]);
            c00 = b0.fma(w, c00);
            c01 = b1.fma(w, c01);
            c02 = b2.fma(w, c02);
            w = FloatVector.broadcast(S, a[ai + 1]);
            c10 = b0.fma(w, c10);
            c11 = b1.fma(w, c11);
            c12 = b2.fma(w, c12);
            w = FloatVector.broadcast(S, a[ai + 2]);
            c20 = b0.fma(w, c20);
            c21 = b1.fma(w, c21);
            c22 = b2.fma(w, c22);
            w = FloatVector.broadcast(S, a[ai + 3]);
            c30 = b0.fma(w, c30);
            c31 = b1.fma(w, c31);
            c32 = b2.fma(w, c32);
        }
        exact(c00).intoArray(tile, 0);
        exact(c01).intoArray(tile, V);
        exact(c02).intoArray(tile, 2 * V);
        exact(c10).intoArray(tile, QB);
        exact(c11).intoArray(tile, QB + V);
        exact(c12).intoArray(tile, QB + 2 * V);
        exact(c20).intoArray(tile, 2 * QB);
        exact(c21).intoArray(tile, 2 * QB + V);
        exact(c22).intoArray(tile, 2 * QB + 2 * V);
        exact(c30).intoArray(tile, 3 * QB);
        exact(c31).intoArray(tile, 3 * QB + V);
        exact(c32).intoArray(tile, 3 * QB + 2 * V);
    }

    /**
     * The last two vectors of positions: small images (4x4 has 22 positions, 8x8 has 78) end in a
     * short block, whose weights would be streamed twice as two one-vector blocks.
     */
    private static void block2(float[] a, int aBase, float[] p, int pBase, int[] offsets, float[] tile) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c10;
        FloatVector c20 = c00;
        FloatVector c21 = c20;
        FloatVector c30 = c00;
        FloatVector c31 = c30;
        for (int k = 0; k < offsets.length; k++) {
            int pi = pBase + offsets[k];
            FloatVector b0 = FloatVector.fromArray(S, p, pi);
            FloatVector b1 = FloatVector.fromArray(S, p, pi + V);
            int ai = aBase + k * MR;
            FloatVector w = FloatVector.broadcast(S, a[ai]);
            c00 = b0.fma(w, c00);
            c01 = b1.fma(w, c01);
            w = FloatVector.broadcast(S, a[ai + 1]);
            c10 = b0.fma(w, c10);
            c11 = b1.fma(w, c11);
            w = FloatVector.broadcast(S, a[ai + 2]);
            c20 = b0.fma(w, c20);
            c21 = b1.fma(w, c21);
            w = FloatVector.broadcast(S, a[ai + 3]);
            c30 = b0.fma(w, c30);
            c31 = b1.fma(w, c31);
        }
        exact(c00).intoArray(tile, 0);
        exact(c01).intoArray(tile, V);
        exact(c10).intoArray(tile, QB);
        exact(c11).intoArray(tile, QB + V);
        exact(c20).intoArray(tile, 2 * QB);
        exact(c21).intoArray(tile, 2 * QB + V);
        exact(c30).intoArray(tile, 3 * QB);
        exact(c31).intoArray(tile, 3 * QB + V);
    }

    /** The last vector of positions. */
    private static void block1(float[] a, int aBase, float[] p, int pBase, int[] offsets, float[] tile) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        for (int k = 0; k < offsets.length; k++) {
            FloatVector v = FloatVector.fromArray(S, p, pBase + offsets[k]);
            int ai = aBase + k * MR;
            c0 = v.fma(FloatVector.broadcast(S, a[ai]), c0);
            c1 = v.fma(FloatVector.broadcast(S, a[ai + 1]), c1);
            c2 = v.fma(FloatVector.broadcast(S, a[ai + 2]), c2);
            c3 = v.fma(FloatVector.broadcast(S, a[ai + 3]), c3);
        }
        exact(c0).intoArray(tile, 0);
        exact(c1).intoArray(tile, QB);
        exact(c2).intoArray(tile, 2 * QB);
        exact(c3).intoArray(tile, 3 * QB);
    }

    /**
     * Copies the real output pixels among positions [q0, q0 + len) of a tile's rows into out (at
     * the pass's phase, every up-th row and column), adding the residual and applying the
     * activation; padding positions are skipped.
     */
    private void store(float[] tile, Frames fr, Pass pass, int g, int j, int q0, int len, float[] out,
                       int outChannels, int channelOffset, float[] res, Activation act) {
        int rows = Math.min(MR, coutG - j * MR);
        int end = Math.min(q0 + len, fr.q);
        int qq = q0;
        while (qq < end) {
            int f = qq / fr.planeP;
            int rem = qq - f * fr.planeP;
            int y = rem / fr.wp;
            int x = rem - y * fr.wp;
            if (y >= fr.h) {
                qq = (f + 1) * fr.planeP;
                continue;
            }
            if (x >= fr.w) {
                qq += fr.wp - x;
                continue;
            }
            int run = Math.min(fr.w - x, end - qq);
            int pix = fr.pixel(pass, f, y, x);
            for (int i = 0; i < rows; i++) {
                int co = g * coutG + j * MR + i;
                int o = fr.outIndex(outChannels, channelOffset, co, pix);
                int r = fr.resIndex(co, pix);
                float b = bias[(g * blocks + j) * MR + i];
                if (fr.up == 1) {
                    emit(tile, i * QB + qq - q0, b, out, o, res, r, run, act);
                } else {
                    emitStrided(tile, i * QB + qq - q0, b, out, o, res, r, run, fr.up, act);
                }
            }
            qq += run;
        }
    }

    private static void emit(float[] tile, int t, float bias, float[] out, int o, float[] res, int r, int len,
                             Activation act) {
        int n = 0;
        if (act != Activation.SIGMOID) {
            for (; n + V <= len; n += V) {
                FloatVector v = FloatVector.fromArray(S, tile, t + n).add(bias);
                if (res != null) {
                    v = v.add(FloatVector.fromArray(S, res, r + n));
                }
                if (act == Activation.RELU) {
                    v = v.max(0f);
                } else if (act == Activation.LEAKY_RELU_0_2) {
                    v = v.max(v.mul(0.2f));
                }
                v.intoArray(out, o + n);
            }
        }
        for (; n < len; n++) {
            out[o + n] = scalar(tile[t + n] + bias + (res != null ? res[r + n] : 0f), act);
        }
    }

    /** Every {@code stride}-th output: one phase of an upsampled convolution. */
    private static void emitStrided(float[] tile, int t, float bias, float[] out, int o, float[] res, int r, int len,
                                    int stride, Activation act) {
        for (int n = 0; n < len; n++) {
            out[o + n * stride] = scalar(tile[t + n] + bias + (res != null ? res[r + n * stride] : 0f), act);
        }
    }

    /** Math.max as in the vector loop and GemmKernel.store: NaN passes through ReLU, as in PyTorch. */
    private static float scalar(float v, Activation act) {
        return switch (act) {
            case RELU -> Math.max(v, 0f);
            case LEAKY_RELU_0_2 -> Math.max(v, 0.2f * v);
            default -> act.apply(v);
        };
    }
}
