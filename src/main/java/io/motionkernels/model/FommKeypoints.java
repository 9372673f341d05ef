package io.motionkernels.model;

import io.motionkernels.tensor.Tensor;

/**
 * First Order Motion Model keypoints of B images: {@code value} (B, K, 2) with (x, y) in
 * [-1, 1], and {@code jacobian} (B, K, 2, 2) row-major, null for a configuration without
 * jacobians.
 */
public record FommKeypoints(Tensor value, Tensor jacobian) {
    /**
     * Checks the shapes.
     *
     * @param value keypoint values (B, K, 2), (x, y) in [-1, 1]
     * @param jacobian jacobians (B, K, 2, 2) row-major, or null
     * @throws IllegalArgumentException if {@code value} is not (B, K, 2) or {@code jacobian} not (B, K, 2, 2)
     */
    public FommKeypoints {
        if (value.rank() != 3 || value.dim(2) != 2) {
            throw new IllegalArgumentException("keypoint values must be (B, K, 2), got " + value.shapeString());
        }
        if (jacobian != null && !jacobian.hasShape(value.dim(0), value.dim(1), 2, 2)) {
            throw new IllegalArgumentException("jacobians must be " + "(" + value.dim(0) + ", " + value.dim(1)
                    + ", 2, 2), got " + jacobian.shapeString());
        }
    }

    /**
     * The batch size.
     *
     * @return B
     */
    public int batch() {
        return value.dim(0);
    }

    /**
     * The number of keypoints per image.
     *
     * @return K
     */
    public int count() {
        return value.dim(1);
    }

    /**
     * Element b of the batch, as a batch of one.
     *
     * @param b the batch index, 0 to B - 1
     * @return keypoints (1, K, 2) and jacobians (1, K, 2, 2) or null
     */
    public FommKeypoints item(int b) {
        int k = count();
        float[] v = new float[2 * k];
        System.arraycopy(value.data(), b * 2 * k, v, 0, 2 * k);
        Tensor j = null;
        if (jacobian != null) {
            float[] jd = new float[4 * k];
            System.arraycopy(jacobian.data(), b * 4 * k, jd, 0, 4 * k);
            j = Tensor.of(jd, 1, k, 2, 2);
        }
        return new FommKeypoints(Tensor.of(v, 1, k, 2), j);
    }

    /**
     * The keypoints of several batches, concatenated along the batch.
     *
     * @param parts non-empty, all with the same K, all with or all without jacobians
     * @return keypoints of batch the sum of the parts' batches
     */
    public static FommKeypoints concat(java.util.List<FommKeypoints> parts) {
        int k = parts.get(0).count();
        int b = 0;
        for (FommKeypoints p : parts) {
            b += p.batch();
        }
        float[] v = new float[b * 2 * k];
        float[] j = parts.get(0).jacobian() == null ? null : new float[b * 4 * k];
        int at = 0;
        for (FommKeypoints p : parts) {
            System.arraycopy(p.value().data(), 0, v, at * 2 * k, p.batch() * 2 * k);
            if (j != null) {
                System.arraycopy(p.jacobian().data(), 0, j, at * 4 * k, p.batch() * 4 * k);
            }
            at += p.batch();
        }
        return new FommKeypoints(Tensor.of(v, b, k, 2), j == null ? null : Tensor.of(j, b, k, 2, 2));
    }
}
