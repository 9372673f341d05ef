package io.motionkernels.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One palette of at most 256 colours for all frames of a GIF, so that colours do not flicker
 * between frames. When the frames use at most 256 distinct colours the palette is exactly those
 * colours and pixels map to themselves, without dithering (flat synthetic frames stay exact).
 * Otherwise the palette comes from median cut over a 5-bit-per-channel histogram of every pixel
 * (each colour the mean of the pixels in its box), and pixels are mapped with 8x8 ordered (Bayer)
 * dithering whose amplitude is the median distance between neighbouring palette colours: enough to
 * turn the bands of a smooth gradient into a fine pattern, and, unlike error diffusion, a fixed
 * pattern that does not crawl between frames. Everything is deterministic.
 */
final class Palette {
    static final int MAX_COLOURS = 256;

    private static final int[] BAYER8 = {
        0, 32, 8, 40, 2, 34, 10, 42, 48, 16, 56, 24, 50, 18, 58, 26,
        12, 44, 4, 36, 14, 46, 6, 38, 60, 28, 52, 20, 62, 30, 54, 22,
        3, 35, 11, 43, 1, 33, 9, 41, 51, 19, 59, 27, 49, 17, 57, 25,
        15, 47, 7, 39, 13, 45, 5, 37, 63, 31, 55, 23, 61, 29, 53, 21,
    };

    private final int[] colours;
    private final Map<Integer, Integer> exact;
    private final float amplitude;
    /** Nearest palette index for each 6-bit-per-channel cell, filled on first use. */
    private final int[] cells;

    private Palette(int[] colours, Map<Integer, Integer> exact) {
        this.colours = colours;
        this.exact = exact;
        this.amplitude = exact != null ? 0f : medianNeighbourDistance(colours);
        this.cells = exact != null ? null : filled(1 << 18, -1);
    }

    /** The palette for frames of opaque RGB pixels ({@code 0xffRRGGBB}). */
    static Palette of(List<int[]> frames) {
        Map<Integer, Integer> distinct = new HashMap<>();
        List<Integer> order = new ArrayList<>();
        outer:
        for (int[] frame : frames) {
            for (int p : frame) {
                int rgb = p & 0xffffff;
                if (!distinct.containsKey(rgb)) {
                    if (distinct.size() == MAX_COLOURS) {
                        distinct = null;
                        break outer;
                    }
                    distinct.put(rgb, distinct.size());
                    order.add(rgb);
                }
            }
        }
        if (distinct != null) {
            int[] colours = order.stream().mapToInt(Integer::intValue).toArray();
            return new Palette(colours, distinct);
        }
        return new Palette(medianCut(frames), null);
    }

    /** Palette colours as {@code 0xRRGGBB}. */
    int[] colours() {
        return colours.clone();
    }

    int size() {
        return colours.length;
    }

    /** Palette indices for one frame of {@code width} pixels per row. */
    byte[] map(int[] rgb, int width) {
        byte[] out = new byte[rgb.length];
        if (exact != null) {
            for (int i = 0; i < rgb.length; i++) {
                out[i] = (byte) (int) exact.get(rgb[i] & 0xffffff);
            }
            return out;
        }
        for (int i = 0; i < rgb.length; i++) {
            int x = i % width;
            int y = i / width;
            float offset = ((BAYER8[(y & 7) * 8 + (x & 7)] + 0.5f) / 64f - 0.5f) * amplitude;
            int p = rgb[i];
            int r = clamp8(((p >> 16) & 0xff) + offset);
            int g = clamp8(((p >> 8) & 0xff) + offset);
            int b = clamp8((p & 0xff) + offset);
            int cell = (r >> 2) << 12 | (g >> 2) << 6 | (b >> 2);
            int index = cells[cell];
            if (index < 0) {
                index = nearest((r >> 2) * 4 + 1.5f, (g >> 2) * 4 + 1.5f, (b >> 2) * 4 + 1.5f);
                cells[cell] = index;
            }
            out[i] = (byte) index;
        }
        return out;
    }

    private static int clamp8(float v) {
        return v <= 0f ? 0 : v >= 255f ? 255 : (int) (v + 0.5f);
    }

    private int nearest(float r, float g, float b) {
        int best = 0;
        float bestD = Float.MAX_VALUE;
        for (int i = 0; i < colours.length; i++) {
            int c = colours[i];
            float dr = ((c >> 16) & 0xff) - r;
            float dg = ((c >> 8) & 0xff) - g;
            float db = (c & 0xff) - b;
            float d = dr * dr + dg * dg + db * db;
            if (d < bestD) {
                bestD = d;
                best = i;
            }
        }
        return best;
    }

    private static float medianNeighbourDistance(int[] colours) {
        if (colours.length < 2) {
            return 0f;
        }
        float[] nearest = new float[colours.length];
        for (int i = 0; i < colours.length; i++) {
            float best = Float.MAX_VALUE;
            for (int j = 0; j < colours.length; j++) {
                if (j != i) {
                    best = Math.min(best, distance(colours[i], colours[j]));
                }
            }
            nearest[i] = best;
        }
        Arrays.sort(nearest);
        return nearest[nearest.length / 2];
    }

    private static float distance(int a, int b) {
        float dr = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
        float dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
        float db = (a & 0xff) - (b & 0xff);
        return (float) Math.sqrt(dr * dr + dg * dg + db * db);
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    // ---- median cut ----

    private static final int BITS = 5;
    private static final int SIDE = 1 << BITS;

    private static int bin(int r, int g, int b) {
        return (r * SIDE + g) * SIDE + b;
    }

    /** An axis-aligned box of histogram bins, shrunk to the bins it actually holds. */
    private static final class Box {
        final int[] lo = new int[3];
        final int[] hi = new int[3];
        long count;

        Box(int[] lo, int[] hi, int[] hist) {
            System.arraycopy(lo, 0, this.lo, 0, 3);
            System.arraycopy(hi, 0, this.hi, 0, 3);
            shrink(hist);
        }

        private void shrink(int[] hist) {
            int[] min = {SIDE, SIDE, SIDE};
            int[] max = {-1, -1, -1};
            count = 0;
            for (int r = lo[0]; r <= hi[0]; r++) {
                for (int g = lo[1]; g <= hi[1]; g++) {
                    for (int b = lo[2]; b <= hi[2]; b++) {
                        int n = hist[bin(r, g, b)];
                        if (n > 0) {
                            count += n;
                            int[] v = {r, g, b};
                            for (int a = 0; a < 3; a++) {
                                min[a] = Math.min(min[a], v[a]);
                                max[a] = Math.max(max[a], v[a]);
                            }
                        }
                    }
                }
            }
            if (count > 0) {
                System.arraycopy(min, 0, lo, 0, 3);
                System.arraycopy(max, 0, hi, 0, 3);
            }
        }

        int longestAxis() {
            int axis = 0;
            for (int a = 1; a < 3; a++) {
                if (hi[a] - lo[a] > hi[axis] - lo[axis]) {
                    axis = a;
                }
            }
            return axis;
        }

        /** Big boxes with a wide spread go first: that is where one colour would be most wrong. */
        long priority() {
            int axis = longestAxis();
            return count * (hi[axis] - lo[axis]);
        }
    }

    private static int[] medianCut(List<int[]> frames) {
        int[] hist = new int[SIDE * SIDE * SIDE];
        long[][] sums = new long[3][SIDE * SIDE * SIDE];
        for (int[] frame : frames) {
            for (int p : frame) {
                int r = (p >> 16) & 0xff;
                int g = (p >> 8) & 0xff;
                int b = p & 0xff;
                int k = bin(r >> (8 - BITS), g >> (8 - BITS), b >> (8 - BITS));
                hist[k]++;
                sums[0][k] += r;
                sums[1][k] += g;
                sums[2][k] += b;
            }
        }
        List<Box> boxes = new ArrayList<>();
        boxes.add(new Box(new int[] {0, 0, 0}, new int[] {SIDE - 1, SIDE - 1, SIDE - 1}, hist));
        while (boxes.size() < MAX_COLOURS) {
            int pick = -1;
            long best = 0;
            for (int i = 0; i < boxes.size(); i++) {
                long p = boxes.get(i).priority();
                if (p > best) {
                    best = p;
                    pick = i;
                }
            }
            if (pick < 0) {
                break; // every box is a single bin
            }
            Box box = boxes.get(pick);
            int axis = box.longestAxis();
            int cut = medianCut(box, axis, hist);
            int[] lowHi = box.hi.clone();
            lowHi[axis] = cut;
            int[] highLo = box.lo.clone();
            highLo[axis] = cut + 1;
            boxes.set(pick, new Box(box.lo, lowHi, hist));
            boxes.add(new Box(highLo, box.hi, hist));
        }
        int[] colours = new int[boxes.size()];
        for (int i = 0; i < colours.length; i++) {
            colours[i] = mean(boxes.get(i), hist, sums);
        }
        return colours;
    }

    /** The last slice of the lower half: at least half the pixels, and both halves non-empty. */
    private static int medianCut(Box box, int axis, int[] hist) {
        long[] slice = new long[box.hi[axis] - box.lo[axis] + 1];
        int[] v = new int[3];
        for (v[0] = box.lo[0]; v[0] <= box.hi[0]; v[0]++) {
            for (v[1] = box.lo[1]; v[1] <= box.hi[1]; v[1]++) {
                for (v[2] = box.lo[2]; v[2] <= box.hi[2]; v[2]++) {
                    slice[v[axis] - box.lo[axis]] += hist[bin(v[0], v[1], v[2])];
                }
            }
        }
        long seen = 0;
        for (int s = 0; s < slice.length - 1; s++) {
            seen += slice[s];
            if (2 * seen >= box.count) {
                return box.lo[axis] + s;
            }
        }
        return box.hi[axis] - 1;
    }

    private static int mean(Box box, int[] hist, long[][] sums) {
        long n = 0;
        long[] total = new long[3];
        for (int r = box.lo[0]; r <= box.hi[0]; r++) {
            for (int g = box.lo[1]; g <= box.hi[1]; g++) {
                for (int b = box.lo[2]; b <= box.hi[2]; b++) {
                    int k = bin(r, g, b);
                    n += hist[k];
                    for (int c = 0; c < 3; c++) {
                        total[c] += sums[c][k];
                    }
                }
            }
        }
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            rgb[c] = n == 0 ? 0 : (int) ((total[c] + n / 2) / n);
        }
        return rgb[0] << 16 | rgb[1] << 8 | rgb[2];
    }
}
