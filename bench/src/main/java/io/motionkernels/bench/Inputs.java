package io.motionkernels.bench;

import io.motionkernels.tensor.Tensor;

import java.util.SplittableRandom;

/** Deterministic, realistic benchmark inputs (no NaN, no denormals, grids near the identity). */
final class Inputs {
    private Inputs() {
    }

    static Tensor uniform(long seed, float lo, float hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + (hi - lo) * (float) r.nextDouble();
        }
        return t;
    }

    static float[] uniform(long seed, float lo, float hi, int n) {
        return uniform(seed, lo, hi, n, 1).data();
    }

    /**
     * A deformation grid (frames, h, w, coords): the identity (x along the width, y along the
     * height, z = 0) plus a displacement of up to 0.1, what a dense-motion output looks like; a
     * few samples fall outside [-1, 1] at the borders and exercise zero padding.
     */
    static Tensor grid(long seed, int frames, int h, int w, int coords) {
        Tensor g = Tensor.zeros(1, frames, h, w, coords);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = g.data();
        int o = 0;
        for (int f = 0; f < frames; f++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    d[o] = 2f * j / (w - 1) - 1 + (float) (0.2 * r.nextDouble() - 0.1);
                    d[o + 1] = 2f * i / (h - 1) - 1 + (float) (0.2 * r.nextDouble() - 0.1);
                    o += coords; // z stays 0
                }
            }
        }
        return coords == 2 ? g.reshape(1, frames * h, w, 2) : g;
    }

    /** Softmax over the pixels of every map of (1, k, frames, h, w) logits, computed here in double. */
    static Tensor heatmaps(long seed, int k, int frames, int h, int w) {
        Tensor t = uniform(seed, -1f, 1f, 1, k, frames, h, w);
        float[] d = t.data();
        int plane = h * w;
        for (int s = 0; s < d.length; s += plane) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < plane; i++) {
                max = Math.max(max, d[s + i] / 0.1);
            }
            double sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += Math.exp(d[s + i] / 0.1 - max);
            }
            for (int i = 0; i < plane; i++) {
                d[s + i] = (float) (Math.exp(d[s + i] / 0.1 - max) / sum);
            }
        }
        return t;
    }
}
