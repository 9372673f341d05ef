package io.motionkernels.tensor;

/**
 * Keypoints of a video: {@code mean} (B, D, K, 2) holding (x, y) in [-1, 1], and {@code var}
 * (B, D, K, 2, 2), or (B, D, K, 1, 1) for {@code kp_variance: single}, or null when the model
 * uses a constant variance.
 */
public record Keypoints(Tensor mean, Tensor var) {
    /** {@return B, the batch size} */
    public int batch() {
        return mean.dim(0);
    }

    /** {@return D, the number of frames} */
    public int frames() {
        return mean.dim(1);
    }

    /** {@return K, the number of keypoints per frame} */
    public int count() {
        return mean.dim(2);
    }

    /** {@return the keypoints of frame 0 only, as (B, 1, K, ...)} */
    public Keypoints firstFrame() {
        return new Keypoints(frame0(mean), var == null ? null : frame0(var));
    }

    private static Tensor frame0(Tensor t) {
        int[] shape = t.shape();
        int b = shape[0];
        int d = shape[1];
        int per = t.numel() / (b * d);
        float[] out = new float[b * per];
        for (int bi = 0; bi < b; bi++) {
            System.arraycopy(t.data(), bi * d * per, out, bi * per, per);
        }
        shape[1] = 1;
        return Tensor.of(out, shape);
    }
}
