package io.motionkernels.cpu;

import io.motionkernels.engine.Padding;
import io.motionkernels.tensor.Tensor;

/** PyTorch's F.grid_sample, bilinear (4-D input) and trilinear (5-D input). */
public final class GridSample {
    private GridSample() {
    }

    /** Output values per task: big enough to amortise a fork, small enough to split 64x64 frames. */
    private static final int CHUNK = 2048;

    /**
     * input (N, C, H, W) with grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo); or input (N, C, D, H, W) with
     * grid (N, Do, Ho, Wo, 3) -> (N, C, Do, Ho, Wo). Grid holds (x, y[, z]) in [-1, 1].
     *
     * <p>The interpolation weights of every output point are computed once and reused for all
     * channels. A 5-D input of depth 1 (what the model warps: one source frame sampled at z = 0
     * for D driving frames) costs the same as 2-D bilinear sampling: the depth factor is folded
     * into the four in-plane weights.
     */
    public static Tensor sample(Tensor input, Tensor grid, Padding padding, boolean alignCorners) {
        if (input == null || grid == null) {
            throw new IllegalArgumentException("grid_sample: input and grid must not be null");
        }
        // One call needs no plan: the raw kernels weigh each chunk of points in scratch and
        // gather every channel from it, where a plan allocates tables of the grid's size.
        boolean direct = padding != null && input.numel() > 0 && grid.numel() > 0
                && grid.rank() == input.rank() && grid.dim(0) == input.dim(0);
        if (direct && input.rank() == 5 && input.dim(2) == 1 && grid.dim(4) == 3) {
            int n = input.dim(0), c = input.dim(1);
            Tensor out = Tensor.zeros(n, c, grid.dim(1), grid.dim(2), grid.dim(3));
            sampleDepth1(input.data(), 0, n, c, input.dim(3), input.dim(4), grid.data(), 0, grid.dim(1), grid.dim(2),
                    grid.dim(3), padding, alignCorners, out.data(), 0);
            return out;
        }
        if (input.rank() == 4) {
            return plan(grid, input.dim(2), input.dim(3), padding, alignCorners).apply(input);
        }
        if (input.rank() == 5) {
            return plan(grid, input.dim(2), input.dim(3), input.dim(4), padding, alignCorners).apply(input);
        }
        throw new IllegalArgumentException("grid_sample: input must be (N, C, H, W) or (N, C, D, H, W), got "
                + input.shapeString());
    }

    /**
     * Depth-1 trilinear sampling on raw memory, as {@link #sample} of an (n, c, 1, h, w) input with
     * an (n, od, ho, wo, 3) grid: input at in[inOff], grid at grid[gOff], output (n, c, od, ho, wo)
     * at out[oOff], indices and weights in double.
     *
     * <p>There was a Vector API form (indices and weights in float lanes, vector gathers). It is
     * gone because C2 (JDK 17) did not compile its mask and blend lane operations: it allocated
     * 3.0 MB per streamed nemo frame and 6.8 MB per vox frame in every JVM measured (NodeProfile's
     * per-node allocation, 2026-12-02), feeding the collector during streaming, for 0.92–0.97
     * against these 1.06–1.10 ms per nemo frame and no measurable gain on vox (7.4–8.7 ms both).
     */
    public static void sampleDepth1(float[] in, int inOff, int n, int c, int h, int w, float[] grid, int gOff, int od,
                                    int ho, int wo, Padding padding, boolean alignCorners, float[] out, int oOff) {
        int points = od * ho * wo;
        int chunks = (points + CHUNK - 1) / CHUNK;
        int plane = h * w;
        // Each task weighs one chunk of points into its thread's scratch and gathers every channel
        // from it: no per-call weight tables, so streaming allocates nothing here.
        Parallel.forRange(n * chunks, (60L + 8L * c) * Math.min(points, CHUNK), task -> {
            int b = task / chunks;
            int p0 = (task % chunks) * CHUNK;
            int p1 = Math.min(points, p0 + CHUNK);
            Scratch sc = SCRATCH.get();
            int gBase = gOff + b * points * 3;
            for (int p = p0; p < p1; p++) {
                int gi = gBase + p * 3;
                double ix = sourceIndex(grid[gi], w, padding, alignCorners);
                double iy = sourceIndex(grid[gi + 1], h, padding, alignCorners);
                depthOneWeights(ix, iy, sourceIndex(grid[gi + 2], 1, padding, alignCorners), h, w, sc.off, sc.w,
                        (p - p0) * 4);
            }
            for (int ch = 0; ch < c; ch++) {
                int ib = inOff + (b * c + ch) * plane;
                gather4(in, ib, sc.off, sc.w, out, oOff + (b * c + ch) * points + p0, 0, p1 - p0);
            }
        });
    }

    /** One thread's corner offsets and weights for a chunk of points. */
    private static final class Scratch {
        final int[] off = new int[4 * CHUNK];
        final float[] w = new float[4 * CHUNK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Prepares 2-D bilinear sampling of (N, C, inH, inW) inputs with grid (N, Ho, Wo, 2): the
     * weights are computed here once and then reused by every {@link Plan#apply} (for any C).
     */
    public static Plan plan(Tensor grid, int inH, int inW, Padding padding, boolean alignCorners) {
        return Plan.of(grid, false, 1, inH, inW, padding, alignCorners);
    }

    /** As {@link #plan(Tensor, int, int, Padding, boolean)} for (N, C, inD, inH, inW) inputs and grid (N, Do, Ho, Wo, 3). */
    public static Plan plan(Tensor grid, int inD, int inH, int inW, Padding padding, boolean alignCorners) {
        return Plan.of(grid, true, inD, inH, inW, padding, alignCorners);
    }

    /** Interpolation weights for one grid and one input size; immutable, safe to share between threads. */
    public static final class Plan {
        private final boolean threeD;
        private final int n;
        private final int inD;
        private final int inH;
        private final int inW;
        private final int points;
        private final int corners;
        private final int[] outSpatial;
        /** Per batch item: {@code corners} input offsets (within one channel) and weights per output point. */
        private final int[][] offsets;
        private final float[][] weights;

        private static Plan of(Tensor grid, boolean threeD, int inD, int inH, int inW, Padding padding,
                               boolean alignCorners) {
            if (grid == null || padding == null) {
                throw new IllegalArgumentException("grid_sample: grid and padding must not be null");
            }
            int coords = threeD ? 3 : 2;
            if (grid.rank() != coords + 2 || grid.dim(-1) != coords) {
                throw new IllegalArgumentException("grid_sample: a " + (threeD ? "5" : "4") + "-D input needs a grid of shape "
                        + (threeD ? "(N, Do, Ho, Wo, 3)" : "(N, Ho, Wo, 2)") + ", got " + grid.shapeString());
            }
            if (inD < 1 || inH < 1 || inW < 1) {
                throw new IllegalArgumentException("grid_sample: input size must be positive, got " + Shapes.str(inD, inH, inW));
            }
            return new Plan(grid.data(), 0, grid.dim(0), java.util.Arrays.copyOfRange(grid.shape(), 1, coords + 1),
                    threeD, inD, inH, inW, padding, alignCorners);
        }

        /** A plan for a grid of n items of outSpatial points each at grid[gOff]. */
        private Plan(float[] g, int gOff, int n, int[] outSpatial, boolean threeD, int inD, int inH, int inW,
                     Padding padding, boolean alignCorners) {
            int coords = threeD ? 3 : 2;
            this.threeD = threeD;
            this.n = n;
            this.inD = inD;
            this.inH = inH;
            this.inW = inW;
            this.points = Shapes.product(outSpatial);
            this.corners = inD == 1 ? 4 : 8;
            this.outSpatial = outSpatial;
            this.offsets = new int[n][];
            this.weights = new float[n][];
            int chunks = (points + CHUNK - 1) / CHUNK;
            for (int b = 0; b < n; b++) {
                int[] off = new int[points * corners];
                float[] w = new float[points * corners];
                int gBase = gOff + b * points * coords;
                Parallel.forRange(chunks, 60L * CHUNK, k -> {
                    int p1 = Math.min(points, (k + 1) * CHUNK);
                    for (int p = k * CHUNK; p < p1; p++) {
                        int gi = gBase + p * coords;
                        double ix = sourceIndex(g[gi], inW, padding, alignCorners);
                        double iy = sourceIndex(g[gi + 1], inH, padding, alignCorners);
                        if (!threeD) {
                            bilinearWeights(ix, iy, 1.0, inH, inW, off, w, p * 4);
                        } else if (corners == 4) {
                            depthOneWeights(ix, iy, sourceIndex(g[gi + 2], inD, padding, alignCorners), inH, inW, off, w, p * 4);
                        } else {
                            trilinearWeights(ix, iy, sourceIndex(g[gi + 2], inD, padding, alignCorners), inD, inH, inW, off, w, p * 8);
                        }
                    }
                });
                offsets[b] = off;
                weights[b] = w;
            }
        }

        /** Samples {@code input} (N, C, [inD,] inH, inW), any C, at this plan's grid. */
        public Tensor apply(Tensor input) {
            boolean shapeOk = input != null && input.rank() == (threeD ? 5 : 4) && input.dim(0) == n
                    && input.dim(-1) == inW && input.dim(-2) == inH && (!threeD || input.dim(2) == inD);
            if (!shapeOk) {
                throw new IllegalArgumentException("grid_sample: grid " + "(N=" + n + ", " + Shapes.str(outSpatial)
                        + ") was prepared for input (N=" + n + ", C" + (threeD ? ", " + inD : "") + ", " + inH + ", " + inW
                        + "), got " + (input == null ? "null" : input.shapeString()));
            }
            int c = input.dim(1);
            int[] outShape = new int[outSpatial.length + 2];
            outShape[0] = n;
            outShape[1] = c;
            System.arraycopy(outSpatial, 0, outShape, 2, outSpatial.length);
            Tensor out = Tensor.zeros(outShape);
            if (out.numel() == 0) {
                return out;
            }
            applyInto(input.data(), 0, c, out.data(), 0);
            return out;
        }

        /** {@link #apply} on raw memory: input (N, c, [inD,] inH, inW) at in[inOff], output at o[oOff]. */
        public void applyInto(float[] in, int inOff, int c, float[] o, int oOff) {
            int inPlane = inD * inH * inW;
            // A task covers a block of channels times a chunk of points, about CHUNK values: many
            // channels of few points (512 x 4x4) and few channels of many points (3 x 64x64) both split well.
            int chunks = (points + CHUNK - 1) / CHUNK;
            int span = Math.min(points, CHUNK);
            int chPerTask = Math.max(1, CHUNK / span);
            int chBlocks = (c + chPerTask - 1) / chPerTask;
            for (int b = 0; b < n; b++) {
                int[] off = offsets[b];
                float[] w = weights[b];
                int batch = b;
                Parallel.forRange(chBlocks * chunks, 2L * corners * span * chPerTask, task -> {
                    int c0 = (task / chunks) * chPerTask;
                    int c1 = Math.min(c, c0 + chPerTask);
                    int p0 = (task % chunks) * CHUNK;
                    int p1 = Math.min(points, p0 + CHUNK);
                    for (int ch = c0; ch < c1; ch++) {
                        int ib = inOff + (batch * c + ch) * inPlane;
                        int ob = oOff + (batch * c + ch) * points;
                        if (corners == 4) {
                            gather4(in, ib, off, w, o, ob, p0, p1);
                        } else {
                            gather8(in, ib, off, w, o, ob, p0, p1);
                        }
                    }
                });
            }
        }
    }

    private static void gather4(float[] in, int ib, int[] off, float[] w, float[] o, int ob, int p0, int p1) {
        for (int p = p0; p < p1; p++) {
            int q = p * 4;
            o[ob + p] = w[q] * in[ib + off[q]] + w[q + 1] * in[ib + off[q + 1]]
                    + w[q + 2] * in[ib + off[q + 2]] + w[q + 3] * in[ib + off[q + 3]];
        }
    }

    private static void gather8(float[] in, int ib, int[] off, float[] w, float[] o, int ob, int p0, int p1) {
        for (int p = p0; p < p1; p++) {
            int q = p * 8;
            float s = 0f;
            for (int k = q; k < q + 8; k++) {
                s += w[k] * in[ib + off[k]];
            }
            o[ob + p] = s;
        }
    }

    /**
     * PyTorch's grid_sampler_compute_source_index: unnormalise, then apply the padding mode, then
     * send non-finite or huge coordinates to -100 (out of range) as safe_downgrade_to_int_range does.
     */
    static double sourceIndex(double coord, int size, Padding padding, boolean alignCorners) {
        double x = alignCorners ? ((coord + 1) / 2) * (size - 1) : ((coord + 1) * size - 1) / 2;
        if (padding == Padding.BORDER) {
            x = clip(x, size);
        } else if (padding == Padding.REFLECTION) {
            x = alignCorners ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1);
            x = clip(x, size);
        }
        if (x > Integer.MAX_VALUE - 1 || x < Integer.MIN_VALUE || !Double.isFinite(x)) {
            return -100.0;
        }
        return x;
    }

    /** std::min(size - 1, std::max(x, 0)): written with the same comparisons so NaN maps as in PyTorch (to size - 1). */
    private static double clip(double x, int size) {
        double lo = x < 0 ? 0 : x;
        return lo < size - 1 ? lo : size - 1;
    }

    /** PyTorch's reflect_coordinates over [twiceLow / 2, twiceHigh / 2]. */
    private static double reflect(double x, int twiceLow, int twiceHigh) {
        if (twiceLow == twiceHigh) {
            return 0;
        }
        double min = twiceLow / 2.0;
        double span = (twiceHigh - twiceLow) / 2.0;
        x = Math.abs(x - min);
        double extra = x % span;
        int flips = (int) Math.floor(x / span);
        return (flips % 2 == 0) ? extra + min : span - extra + min;
    }

    /** Four in-plane corners; out-of-range ones get weight 0 and a harmless offset 0. */
    private static void bilinearWeights(double ix, double iy, double scale, int h, int w, int[] off, float[] wt, int q) {
        double x0 = Math.floor(ix);
        double y0 = Math.floor(iy);
        double fx = ix - x0;
        double fy = iy - y0;
        int xi = (int) x0;
        int yi = (int) y0;
        corner(xi, yi, (1 - fx) * (1 - fy) * scale, h, w, off, wt, q);
        corner(xi + 1, yi, fx * (1 - fy) * scale, h, w, off, wt, q + 1);
        corner(xi, yi + 1, (1 - fx) * fy * scale, h, w, off, wt, q + 2);
        corner(xi + 1, yi + 1, fx * fy * scale, h, w, off, wt, q + 3);
    }

    private static void corner(int x, int y, double weight, int h, int w, int[] off, float[] wt, int q) {
        if (x >= 0 && x < w && y >= 0 && y < h) {
            off[q] = y * w + x;
            wt[q] = (float) weight;
        } else {
            off[q] = 0;
            wt[q] = 0f;
        }
    }

    /** Depth 1: only z index 0 exists, so the depth weight is that of whichever z corner is 0. */
    private static void depthOneWeights(double ix, double iy, double iz, int h, int w, int[] off, float[] wt, int q) {
        double z0 = Math.floor(iz);
        double fz = iz - z0;
        double wz = z0 == 0 ? 1 - fz : (z0 == -1 ? fz : 0);
        bilinearWeights(ix, iy, wz, h, w, off, wt, q);
    }

    private static void trilinearWeights(double ix, double iy, double iz, int d, int h, int w, int[] off, float[] wt, int q) {
        double z0 = Math.floor(iz);
        double fz = iz - z0;
        int zi = (int) z0;
        int plane = h * w;
        bilinearWeights(ix, iy, 1 - fz, h, w, off, wt, q);
        bilinearWeights(ix, iy, fz, h, w, off, wt, q + 4);
        for (int k = 0; k < 4; k++) {
            if (zi >= 0 && zi < d) {
                off[q + k] += zi * plane;
            } else {
                wt[q + k] = 0f;
                off[q + k] = 0;
            }
            if (zi + 1 >= 0 && zi + 1 < d) {
                off[q + 4 + k] += (zi + 1) * plane;
            } else {
                wt[q + 4 + k] = 0f;
                off[q + 4 + k] = 0;
            }
        }
    }
}
