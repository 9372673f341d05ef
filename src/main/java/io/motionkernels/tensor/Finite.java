package io.motionkernels.tensor;

import io.motionkernels.MotionKernelsException;

/**
 * Non-finite values at the edges: one NaN pixel going in, or a diverging network, would make
 * every output value NaN and give a black video without a word. These checks refuse instead.
 */
public final class Finite {
    private Finite() {
    }

    /** Refuses {@code video} (B, C, D, H, W) if any value is NaN or infinite, naming the first. */
    public static void requireInput(String what, Tensor video) {
        int at = firstNonFinite(video);
        if (at >= 0) {
            throw new MotionKernelsException(what + " " + where(video, at) + " is " + video.data()[at]
                    + "; frames must hold finite pixel values in [0, 1]");
        }
    }

    /** Refuses a model's result (B, C, D, H, W) that holds a NaN or infinity, before it is written. */
    public static void requireResult(Tensor video) {
        int at = firstNonFinite(video);
        if (at >= 0) {
            throw new MotionKernelsException("the model produced " + video.data()[at] + " (at " + where(video, at)
                    + " of the result), so nothing was written: the checkpoint or the configuration makes the network"
                    + " diverge; check that they belong together");
        }
    }

    /** The index of the first NaN or infinity, or -1. */
    public static int firstNonFinite(Tensor t) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                return i;
            }
        }
        return -1;
    }

    private static String where(Tensor video, int at) {
        if (video.rank() != 5) {
            return "element " + at;
        }
        int w = video.dim(4);
        int h = video.dim(3);
        int d = video.dim(2);
        int c = video.dim(1);
        int x = at % w;
        int y = at / w % h;
        int f = at / (w * h) % d;
        int ch = at / (w * h * d) % c;
        return "frame " + f + ", channel " + ch + ", pixel (" + x + ", " + y + ")";
    }
}
