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

    /**
     * Wraps (does not copy) {@code data} as a tensor of the given shape.
     *
     * @param data  the values, row-major; the tensor shares the array
     * @param shape the dimensions, each 0 or more
     * @return the tensor
     * @throws IllegalArgumentException if {@code data} does not hold exactly the shape's element count
     */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    /**
     * {@return a new tensor of zeros}
     *
     * @param shape the dimensions, each 0 or more
     * @throws IllegalArgumentException if a dimension is negative or the tensor would pass 2^31 elements
     */
    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
        }
        return new Tensor(new float[(int) n], shape);
    }

    /**
     * {@return a new tensor holding {@code value} everywhere}
     *
     * @param value the value of every element
     * @param shape the dimensions, each 0 or more
     * @throws IllegalArgumentException if a dimension is negative or the tensor would pass 2^31 elements
     */
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

    /** {@return a copy of the dimensions, outermost first} */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * {@return the size of dimension {@code i}}
     *
     * @param i the dimension's index, from 0; negative counts from the end (-1: the last)
     */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** {@return the number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /** {@return the number of elements (the product of the dimensions)} */
    public int numel() {
        return data.length;
    }

    /** {@return the backing array, row-major: callers may read it; only the op that created the tensor writes it} */
    public float[] data() {
        return data;
    }

    /**
     * Same data (shared, not copied), another shape.
     *
     * @param newShape the dimensions, with the same element count
     * @return the reshaped tensor
     * @throws IllegalArgumentException if the element count differs
     */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    /** {@return a tensor of the same shape with its own copy of the data} */
    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    /**
     * {@return whether the shape is exactly {@code expected}}
     *
     * @param expected the dimensions
     */
    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /**
     * Checks the shape.
     *
     * @param what     the tensor's name, for the message
     * @param expected the dimensions it must have
     * @return this tensor
     * @throws IllegalArgumentException naming {@code what} when the shape is not {@code expected}
     */
    public Tensor requireShape(String what, int... expected) {
        if (!hasShape(expected)) {
            throw new IllegalArgumentException(what + " must have shape " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(shape));
        }
        return this;
    }

    /**
     * {@return the element at {@code index}}
     *
     * @param index one index per dimension
     * @throws IllegalArgumentException if the index has the wrong rank
     */
    public float get(int... index) {
        return data[offset(index)];
    }

    /**
     * Writes one element in place (for the op that creates the tensor).
     *
     * @param v     the value
     * @param index one index per dimension
     * @throws IllegalArgumentException if the index has the wrong rank
     */
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

    /** {@return the shape as {@code [1, 3, 8, 64, 64]}} */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
