package io.motionkernels.conformance;

import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.tensor.Tensor;

/** One output of a reference case: what we computed against what the reference computed. */
public record Comparison(String name, Tensor actual, Tensor expected) {
    public static Comparison of(String name, Tensor actual, Safetensors.Contents c) {
        return new Comparison(name, actual, c.require(name));
    }

    /** ||actual - expected|| / ||expected||; infinite on a shape mismatch or any NaN/infinity. */
    public double relativeL2() {
        return relativeL2(actual, expected);
    }

    public static double relativeL2(Tensor actual, Tensor expected) {
        if (!actual.hasShape(expected.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        double num = 0;
        double den = 0;
        float[] a = actual.data();
        float[] e = expected.data();
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i]) || !Float.isFinite(e[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = (double) a[i] - e[i];
            num += d * d;
            den += (double) e[i] * e[i];
        }
        if (den == 0) {
            return num == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(num / den);
    }
}
