package io.motionkernels.engine;

/** grid_sample's treatment of sampling points outside the input, as PyTorch's {@code padding_mode}. */
public enum Padding {
    ZEROS, BORDER, REFLECTION;

    public static Padding parse(String s) {
        return switch (s) {
            case "zeros" -> ZEROS;
            case "border" -> BORDER;
            case "reflection" -> REFLECTION;
            default -> throw new IllegalArgumentException("padding_mode must be zeros, border or reflection, got '" + s + "'");
        };
    }
}
