package io.motionkernels.engine;

/**
 * The per-axis scales that the interpolation kernels take, computed as PyTorch computes them, so
 * that float rounding at index boundaries picks the same source pixels. Pure Java.
 */
public final class Scales {
    private Scales() {
    }

    /** Output size for a scale factor: floor(in * s), as PyTorch's compute_output_size. */
    public static int outputSize(int in, double s) {
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("scale factor must be positive, got " + s);
        }
        long out = (long) Math.floor(in * s);
        if (out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("scaling " + in + " by " + s + " is too large");
        }
        return (int) out;
    }

    /**
     * Source-per-destination scale of nearest interpolation: (float) in / out for a target size,
     * (float) (1 / s) for a scale factor s (null for none). ATen's CPU kernel takes index dst when
     * out == in and dst / 2 when out == 2 in whatever the factor; the scales 1 and 0.5 do the same.
     */
    public static float nearest(int in, int out, Double factor) {
        if (out == in) {
            return 1f;
        }
        if (out == 2 * in) {
            return 0.5f;
        }
        if (factor != null && factor > 0) {
            return (float) (1.0 / factor);
        }
        return (float) in / out;
    }

    /** Source-per-destination scale of linear interpolation without align_corners. */
    public static float linear(int in, int out, Double factor) {
        if (factor != null && factor > 0) {
            return (float) (1.0 / factor);
        }
        return (float) in / out;
    }

    /** What the kernel computes for nearest: min(floor(dst * scale), in - 1). For tests. */
    public static int nearestSource(int dst, float scale, int in) {
        return Math.min((int) Math.floor((float) dst * scale), in - 1);
    }
}
