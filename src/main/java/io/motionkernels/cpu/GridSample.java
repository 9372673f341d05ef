package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

/** PyTorch's F.grid_sample, bilinear (4-D input) and trilinear (5-D input). */
public final class GridSample {
    private GridSample() {
    }

    public enum Padding { ZEROS, BORDER, REFLECTION;
        public static Padding parse(String s) {
            return switch (s) {
                case "zeros" -> ZEROS;
                case "border" -> BORDER;
                case "reflection" -> REFLECTION;
                default -> throw new IllegalArgumentException("padding_mode must be zeros, border or reflection, got '" + s + "'");
            };
        }
    }

    /**
     * input (N, C, H, W) with grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo); or input (N, C, D, H, W) with
     * grid (N, Do, Ho, Wo, 3) -> (N, C, Do, Ho, Wo). Grid holds (x, y[, z]) in [-1, 1].
     */
    public static Tensor sample(Tensor input, Tensor grid, Padding padding, boolean alignCorners) {
        throw new UnsupportedOperationException("TODO");
    }
}
