package io.motionkernels.tensor;

/**
 * How keypoint variances are represented ({@code kp_variance} in a configuration): a full 2x2
 * matrix per keypoint, a single scalar per keypoint, or one constant shared by all keypoints.
 *
 * @param kind     the representation
 * @param constant the shared variance when {@code kind} is {@link Kind#CONSTANT}, else 0
 */
public record KpVariance(Kind kind, double constant) {
    /** The representation. */
    public enum Kind {
        /** A 2x2 covariance matrix per keypoint: variances (B, D, K, 2, 2). */
        MATRIX,
        /** One scalar variance per keypoint: variances (B, D, K, 1, 1). */
        SINGLE,
        /** One positive constant for every keypoint: no variance tensor. */
        CONSTANT
    }

    /**
     * {@code kp_variance: matrix}.
     */
    public static final KpVariance MATRIX = new KpVariance(Kind.MATRIX, 0);
    /**
     * {@code kp_variance: single}.
     */
    public static final KpVariance SINGLE = new KpVariance(Kind.SINGLE, 0);

    /**
     * A constant variance shared by all keypoints.
     *
     * @param value the variance, positive and finite
     * @return the representation
     * @throws IllegalArgumentException if {@code value} is not positive and finite
     */
    public static KpVariance constant(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("kp_variance must be 'matrix', 'single' or a positive number, got " + value);
        }
        return new KpVariance(Kind.CONSTANT, value);
    }

    /**
     * Parses the configuration's spelling: {@code matrix}, {@code single} or a number.
     *
     * @param text the {@code kp_variance} value
     * @return the representation
     * @throws IllegalArgumentException for any other spelling, or a number that is not positive and finite
     */
    public static KpVariance parse(String text) {
        String t = text.trim();
        if (t.equals("matrix")) {
            return MATRIX;
        }
        if (t.equals("single")) {
            return SINGLE;
        }
        try {
            return constant(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kp_variance must be 'matrix', 'single' or a positive number, got '" + text + "'");
        }
    }

    /** {@return true when keypoints carry a variance tensor (matrix or single), false for a constant} */
    public boolean hasTensor() {
        return kind != Kind.CONSTANT;
    }

    /** {@return floats of one keypoint's variance tensor: 4 (matrix), 1 (single), 0 (a constant has none)} */
    public int floats() {
        return switch (kind) {
            case MATRIX -> 4;
            case SINGLE -> 1;
            case CONSTANT -> 0;
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case MATRIX -> "matrix";
            case SINGLE -> "single";
            case CONSTANT -> Double.toString(constant);
        };
    }
}
