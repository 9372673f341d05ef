package io.motionkernels.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor on the heap, row-major (C order), in PyTorch's layouts: videos are
 * (batch, channels, frames, height, width). Tensors are values: operations return new tensors and
 * never change their inputs, which is what makes a prepared model safe to share between threads.
 * The backing array is exposed so that kernels can loop over it without copies.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(float[] data, int[] shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    /** Wraps (does not copy) {@code data} as a tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
        }
        return new Tensor(new float[(int) n], shape);
    }

    public static Tensor filled(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= s;
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return data.length;
    }

    /** The backing array: callers may read it; only the op that created the tensor writes it. */
    public float[] data() {
        return data;
    }

    /** Same data, another shape with the same number of elements. */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** Throws with a message naming {@code what} when the shape is not {@code expected}. */
    public Tensor requireShape(String what, int... expected) {
        if (!hasShape(expected)) {
            throw new IllegalArgumentException(what + " must have shape " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(shape));
        }
        return this;
    }

    public float get(int... index) {
        return data[offset(index)];
    }

    public void set(float v, int... index) {
        data[offset(index)] = v;
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index rank " + index.length + " for shape " + Arrays.toString(shape));
        }
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            off = off * shape[i] + index[i];
        }
        return off;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
