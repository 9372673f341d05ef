package io.motionkernels.bench;

/**
 * The work one benchmark operation does, declared beside it so that the report can show achieved
 * GB/s and GFLOP/s and the fraction of the machine's measured bound. Counts are the algorithm's
 * compulsory traffic and arithmetic (what a perfect implementation must read, write and compute),
 * not what this implementation happens to do: a kernel that re-reads data loses efficiency, it does
 * not gain bytes.
 *
 * @param bytes  bytes that must cross memory: every input read once, every output written once
 * @param flops  floating-point operations (an FMA counts 2; divisions count 1; exp counts 0 here)
 * @param exps   calls of exp: a third ceiling, since one scalar {@code Math.exp} costs far more
 *               than a FLOP and the JIT does not vectorise it
 */
public record Work(long bytes, long flops, long exps) {
    static final int F = Float.BYTES;

    static Work of(long bytes, long flops) {
        return new Work(bytes, flops, 0);
    }

    /**
     * A 3x3 (or kxk) stride-1 'same' convolution with folded batch norm and ReLU on one (cin, h, w)
     * image per frame: 2·cout·cin·k²·h·w FLOPs (+ bias and ReLU), reading the input, the weights
     * and writing the output.
     */
    static Work conv(int frames, int cin, int cout, int k, int h, int w) {
        long px = (long) frames * h * w;
        long flops = 2L * cout * cin * k * k * px + 2L * cout * px;
        long bytes = F * ((long) cin * px + (long) cout * cin * k * k + cout + (long) cout * px);
        return of(bytes, flops);
    }

    /**
     * Bilinear grid_sample of a (c, h, w) image at a (frames, ho, wo) grid: per output pixel the
     * grid point is read and unnormalised (4 FLOPs), 4 weights computed (~8 FLOPs) and per channel
     * 4 taps blended (7 FLOPs). Bytes: the input once, the grid once, the output once.
     */
    static Work gridSample(int c, int h, int w, int frames, int ho, int wo, int gridCoords) {
        long px = (long) frames * ho * wo;
        long flops = px * (12 + 7L * c);
        long bytes = F * ((long) c * h * w + px * gridCoords + (long) c * px);
        return of(bytes, flops);
    }

    /**
     * kp2gaussian with a full 2x2 variance for k keypoints over an h x w grid: per (keypoint,
     * pixel) the difference (2), the quadratic form with the precomputed inverse (7), the scale (1)
     * and one exp. Bytes: the keypoints and variances in, the heatmaps out.
     */
    static Work kp2gaussian(int frames, int k, int h, int w) {
        long maps = (long) frames * k;
        long px = maps * h * w;
        return new Work(F * (maps * 6 + px), px * 10 + maps * 10, px);
    }

    /**
     * gaussian2kp (matrix variance) of k heatmaps of h x w: per pixel add 1e-7, the weighted mean
     * (4), then the weighted second moments (2 differences, 3 products, 3 weighted sums = 11).
     * Bytes: every heatmap read once (a two-pass implementation reads it twice: not counted).
     */
    static Work gaussian2kp(int frames, int k, int h, int w) {
        long maps = (long) frames * k;
        long px = maps * h * w;
        return of(F * (px + maps * 6), px * 16 + maps * 30);
    }

    /** Softmax of x/T over the pixels of each map: max, x/T - m, sum, scale (4 FLOPs) and one exp per value. */
    static Work softmax(int maps, int h, int w) {
        long n = (long) maps * h * w;
        return new Work(F * 2 * n, 4 * n, n);
    }

    /** STREAM's convention for copy: one read and one write per element, no FLOPs. */
    static Work copy(long floats) {
        return of(2L * F * floats, 0);
    }

    static Work exps(long n) {
        return new Work(0, 0, n);
    }
}
