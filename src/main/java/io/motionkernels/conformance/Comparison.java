package io.motionkernels.conformance;

import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.tensor.Tensor;

/** One output of a reference case: what the engine computed next to what the reference holds. */
public record Comparison(String name, Tensor actual, Tensor expected) {
    /** Compares {@code actual} with the case's tensor of the same name. */
    public static Comparison of(String name, Tensor actual, Safetensors.Contents c) {
        return new Comparison(name, actual, c.require(name));
    }

    public boolean shapesMatch() {
        return actual.hasShape(expected.shape());
    }

    /** ||actual - expected|| / ||expected||; infinite when the shapes differ or a value is NaN or infinite. */
    public double relativeL2() {
        return OpCases.relativeL2(actual, expected);
    }

    /** Number of NaN or infinite values in {@code actual}. */
    public int nonFinite() {
        int n = 0;
        for (float v : actual.data()) {
            if (!Float.isFinite(v)) {
                n++;
            }
        }
        return n;
    }

    public boolean passes(double bound) {
        return shapesMatch() && nonFinite() == 0 && relativeL2() <= bound;
    }

    /** One line for a report, e.g. {@code out: relative L2 3.1e-07}. */
    public String describe() {
        if (!shapesMatch()) {
            return name + ": shape " + actual.shapeString() + ", expected " + expected.shapeString();
        }
        int bad = nonFinite();
        String s = name + ": relative L2 " + String.format("%.3g", relativeL2());
        return bad == 0 ? s : s + " (" + bad + " NaN or infinite values)";
    }
}
