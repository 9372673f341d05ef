package io.motionkernels.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One palette of at most 256 colours for all frames of a GIF, so that colours do not flicker
 * between frames. When the frames use at most 256 distinct colours the palette is exactly those
 * colours (flat synthetic frames stay exact). Otherwise it comes from a variance-based median cut
 * over a 5-bit-per-channel histogram of every pixel, each colour the mean of the pixels in its
 * box. Pixels map to the nearest palette colour (Euclidean RGB), without dithering: on smooth
 * test images 8x8 ordered dithering made every pixel noisier while leaving the error of 4x4
 * averages where it was, and error diffusion would make static areas crawl from frame to frame.
 * Everything is deterministic.
 */
final class Palette {
    static final int MAX_COLOURS = 256;

    private final int[] colours;
    /** Nearest palette index of each colour seen so far: open addressing, key -1 = empty. */
    private int[] cacheKeys = filled(1 << 12, -1);
    private byte[] cacheValues = new byte[1 << 12];
    private int cached;

    private Palette(int[] colours) {
        this.colours = colours;
    }

    /** The palette for frames of opaque RGB pixels ({@code 0xffRRGGBB}). */
    static Palette of(List<int[]> frames) {
        Set<Integer> distinct = new LinkedHashSet<>();
        outer:
        for (int[] frame : frames) {
            for (int p : frame) {
                if (distinct.add(p & 0xffffff) && distinct.size() > MAX_COLOURS) {
                    distinct = null;
                    break outer;
                }
            }
        }
        if (distinct != null) {
            return new Palette(distinct.stream().mapToInt(Integer::intValue).toArray());
        }
        return new Palette(medianCut(frames));
    }

    /** Palette colours as {@code 0xRRGGBB}. */
    int[] colours() {
        return colours.clone();
    }

    int size() {
        return colours.length;
    }

    /** Palette indices for one frame. */
    byte[] map(int[] rgb) {
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = lookup(rgb[i] & 0xffffff);
        }
        return out;
    }

    private byte lookup(int colour) {
        int mask = cacheKeys.length - 1;
        int slot = (colour * 0x9E3779B1) >>> 7 & mask;
        while (cacheKeys[slot] != -1) {
            if (cacheKeys[slot] == colour) {
                return cacheValues[slot];
            }
            slot = (slot + 1) & mask;
        }
        byte index = (byte) nearest(colour);
        cacheKeys[slot] = colour;
        cacheValues[slot] = index;
        if (++cached * 2 > cacheKeys.length) {
            grow();
        }
        return index;
    }

    private void grow() {
        int[] keys = cacheKeys;
        byte[] values = cacheValues;
        cacheKeys = filled(keys.length * 2, -1);
        cacheValues = new byte[keys.length * 2];
        int mask = cacheKeys.length - 1;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != -1) {
                int slot = (keys[i] * 0x9E3779B1) >>> 7 & mask;
                while (cacheKeys[slot] != -1) {
                    slot = (slot + 1) & mask;
                }
                cacheKeys[slot] = keys[i];
                cacheValues[slot] = values[i];
            }
        }
    }

    private int nearest(int colour) {
        int r = (colour >> 16) & 0xff;
        int g = (colour >> 8) & 0xff;
        int b = colour & 0xff;
        int best = 0;
        int bestD = Integer.MAX_VALUE;
        for (int i = 0; i < colours.length; i++) {
            int c = colours[i];
            int dr = ((c >> 16) & 0xff) - r;
            int dg = ((c >> 8) & 0xff) - g;
            int db = (c & 0xff) - b;
            int d = dr * dr + dg * dg + db * db;
            if (d < bestD) {
                bestD = d;
                best = i;
            }
        }
        return best;
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    // ---- variance-based median cut ----

    private static final int BITS = 5;
    private static final int SIDE = 1 << BITS;

    private static int bin(int r, int g, int b) {
        return (r * SIDE + g) * SIDE + b;
    }

    /** Pixel statistics per histogram bin: count, and per channel the sum and sum of squares. */
    private static final class Histogram {
        final long[] count = new long[SIDE * SIDE * SIDE];
        final long[][] sum = new long[3][SIDE * SIDE * SIDE];
        final long[][] sumSq = new long[3][SIDE * SIDE * SIDE];
    }

    /** Running totals of a set of pixels, enough for their mean and squared error. */
    private static final class Stats {
        long n;
        final long[] sum = new long[3];
        final long[] sumSq = new long[3];

        void add(Histogram h, int k) {
            n += h.count[k];
            for (int c = 0; c < 3; c++) {
                sum[c] += h.sum[c][k];
                sumSq[c] += h.sumSq[c][k];
            }
        }

        void add(Stats o) {
            n += o.n;
            for (int c = 0; c < 3; c++) {
                sum[c] += o.sum[c];
                sumSq[c] += o.sumSq[c];
            }
        }

        /** Sum over pixels of the squared distance to their mean colour. */
        double error() {
            if (n == 0) {
                return 0;
            }
            double e = 0;
            for (int c = 0; c < 3; c++) {
                e += sumSq[c] - (double) sum[c] * sum[c] / n;
            }
            return e;
        }

        int meanColour() {
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                rgb = rgb << 8 | (n == 0 ? 0 : (int) ((sum[c] + n / 2) / n));
            }
            return rgb;
        }
    }

    /** An axis-aligned box of histogram bins and the statistics of the pixels in it. */
    private static final class Box {
        final int[] lo;
        final int[] hi;
        final Stats stats = new Stats();

        Box(int[] lo, int[] hi, Histogram h) {
            this.lo = lo.clone();
            this.hi = hi.clone();
            for (int r = lo[0]; r <= hi[0]; r++) {
                for (int g = lo[1]; g <= hi[1]; g++) {
                    for (int b = lo[2]; b <= hi[2]; b++) {
                        stats.add(h, bin(r, g, b));
                    }
                }
            }
        }

        boolean splittable() {
            return stats.n > 0 && (hi[0] > lo[0] || hi[1] > lo[1] || hi[2] > lo[2]);
        }
    }

    /**
     * Greedy variance-based median cut: the box whose pixels are furthest from its mean colour is
     * split, on whichever axis and plane leaves the two halves with the least total squared
     * error. This tracks the pixels far better than cutting at the median of the longest side.
     */
    private static int[] medianCut(List<int[]> frames) {
        Histogram hist = new Histogram();
        for (int[] frame : frames) {
            for (int p : frame) {
                int[] v = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
                int k = bin(v[0] >> (8 - BITS), v[1] >> (8 - BITS), v[2] >> (8 - BITS));
                hist.count[k]++;
                for (int c = 0; c < 3; c++) {
                    hist.sum[c][k] += v[c];
                    hist.sumSq[c][k] += (long) v[c] * v[c];
                }
            }
        }
        List<Box> boxes = new ArrayList<>();
        boxes.add(new Box(new int[] {0, 0, 0}, new int[] {SIDE - 1, SIDE - 1, SIDE - 1}, hist));
        while (boxes.size() < MAX_COLOURS) {
            int pick = -1;
            double worst = 0;
            for (int i = 0; i < boxes.size(); i++) {
                Box b = boxes.get(i);
                double e = b.stats.error();
                if (b.splittable() && e > worst) {
                    worst = e;
                    pick = i;
                }
            }
            if (pick < 0) {
                break; // every remaining box holds a single colour bin or a single colour
            }
            Box box = boxes.get(pick);
            int[] cut = bestCut(box, hist);
            int[] lowHi = box.hi.clone();
            lowHi[cut[0]] = cut[1];
            int[] highLo = box.lo.clone();
            highLo[cut[0]] = cut[1] + 1;
            boxes.set(pick, new Box(box.lo, lowHi, hist));
            boxes.add(new Box(highLo, box.hi, hist));
        }
        List<Integer> colours = new ArrayList<>();
        for (Box b : boxes) {
            if (b.stats.n > 0) {
                colours.add(b.stats.meanColour());
            }
        }
        return colours.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {axis, last slice of the lower half} minimising the halves' total squared error. */
    private static int[] bestCut(Box box, Histogram hist) {
        int[] best = null;
        double bestError = Double.MAX_VALUE;
        for (int axis = 0; axis < 3; axis++) {
            int slices = box.hi[axis] - box.lo[axis] + 1;
            if (slices < 2) {
                continue;
            }
            Stats[] slice = new Stats[slices];
            for (int i = 0; i < slices; i++) {
                slice[i] = new Stats();
            }
            int[] v = new int[3];
            for (v[0] = box.lo[0]; v[0] <= box.hi[0]; v[0]++) {
                for (v[1] = box.lo[1]; v[1] <= box.hi[1]; v[1]++) {
                    for (v[2] = box.lo[2]; v[2] <= box.hi[2]; v[2]++) {
                        slice[v[axis] - box.lo[axis]].add(hist, bin(v[0], v[1], v[2]));
                    }
                }
            }
            Stats low = new Stats();
            for (int s = 0; s < slices - 1; s++) {
                low.add(slice[s]);
                Stats high = new Stats();
                for (int t = s + 1; t < slices; t++) {
                    high.add(slice[t]);
                }
                double e = low.error() + high.error();
                if (e < bestError) {
                    bestError = e;
                    best = new int[] {axis, box.lo[axis] + s};
                }
            }
        }
        return best;
    }
}
