package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

import java.util.Arrays;

/** Argument checks shared by the CPU operations; their messages name the operation and the shapes. */
final class Shapes {
    private Shapes() {
    }

    static void requireRank(String op, String what, Tensor t, int rank) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null");
        }
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have rank " + rank + ", got shape " + t.shapeString());
        }
    }

    static void requireMinRank(String op, String what, Tensor t, int rank) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null");
        }
        if (t.rank() < rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have rank at least " + rank + ", got shape " + t.shapeString());
        }
    }

    /** Product of the dimensions from {@code from} (inclusive) to the end. */
    static int trailing(Tensor t, int from) {
        int n = 1;
        for (int i = from; i < t.rank(); i++) {
            n *= t.dim(i);
        }
        return n;
    }

    static int product(int... dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    static String str(int... dims) {
        return Arrays.toString(dims);
    }
}
