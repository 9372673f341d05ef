package io.motionkernels.conformance;

import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.tensor.Tensor;

/**
 * One output of a reference case: what the engine computed next to what the reference holds.
 *
 * @param name     the output's name in the case file ({@code video_prediction}, ...)
 * @param actual   what the engine computed
 * @param expected what the reference holds
 */
public record Comparison(String name, Tensor actual, Tensor expected) {
    /**
     * Compares {@code actual} with the case's tensor of the same name.
     *
     * @param name   the output's name in the case file
     * @param actual what the engine computed
     * @param c      the case file's contents
     * @return the comparison
     * @throws io.motionkernels.checkpoint.CheckpointException if the case has no tensor {@code name}
     */
    public static Comparison of(String name, Tensor actual, Safetensors.Contents c) {
        return new Comparison(name, actual, c.require(name));
    }

    /** {@return whether {@code actual} has the shape of {@code expected}} */
    public boolean shapesMatch() {
        return actual.hasShape(expected.shape());
    }

    /** {@return ||actual - expected|| / ||expected||; infinite when the shapes differ or a value is NaN or infinite} */
    public double relativeL2() {
        return relativeL2(actual, expected);
    }

    /**
     * The one error rule of every reference comparison (verify, the tests, the GPU harness, the
     * benchmarks' checks): ||actual - expected|| / ||expected|| accumulated in double; 0 when both
     * are zero, infinite when the shapes differ or when either holds a NaN or infinity.
     *
     * @param actual   what was computed
     * @param expected the reference
     * @return the relative L2 error, 0 or more
     */
    public static double relativeL2(Tensor actual, Tensor expected) {
        if (!actual.hasShape(expected.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        return relativeL2(actual.data(), expected.data());
    }

    /**
     * {@link #relativeL2(Tensor, Tensor)} of two arrays of the same length.
     *
     * @param a what was computed
     * @param e the reference
     * @return the relative L2 error, 0 or more (infinite when the lengths differ)
     */
    public static double relativeL2(float[] a, float[] e) {
        if (a.length != e.length) {
            return Double.POSITIVE_INFINITY;
        }
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i]) || !Float.isFinite(e[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = (double) a[i] - e[i];
            diff += d * d;
            ref += (double) e[i] * e[i];
        }
        if (ref == 0) {
            return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(diff / ref);
    }

    /** {@return the number of NaN or infinite values in {@code actual}} */
    public int nonFinite() {
        int n = 0;
        for (float v : actual.data()) {
            if (!Float.isFinite(v)) {
                n++;
            }
        }
        return n;
    }

    /**
     * {@return whether the shapes match, {@code actual} is finite and the error is within {@code bound}}
     *
     * @param bound the largest relative L2 error accepted (1e-4 for float32 cases)
     */
    public boolean passes(double bound) {
        return shapesMatch() && nonFinite() == 0 && relativeL2() <= bound;
    }

    /** {@return one line for a report, e.g. {@code out: relative L2 3.1e-07}} */
    public String describe() {
        if (!shapesMatch()) {
            return name + ": shape " + actual.shapeString() + ", expected " + expected.shapeString();
        }
        int bad = nonFinite();
        String s = name + ": relative L2 " + String.format("%.3g", relativeL2());
        return bad == 0 ? s : s + " (" + bad + " NaN or infinite values)";
    }
}
