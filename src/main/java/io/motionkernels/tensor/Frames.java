package io.motionkernels.tensor;

/** Frame ranges of (B, C, D, H, W) videos, where each channel's D frames are contiguous. */
public final class Frames {
    private Frames() {
    }

    /**
     * Copies frames [from, from + n) of {@code video}.
     *
     * @param video the video (B, C, D, H, W)
     * @param from  the first frame, from 0
     * @param n     the number of frames, 0 or more
     * @return a new (B, C, n, H, W) tensor
     * @throws IndexOutOfBoundsException if the range is not within [0, D)
     */
    public static Tensor slice(Tensor video, int from, int n) {
        int d = video.dim(2);
        if (from < 0 || n < 0 || from + n > d) {
            throw new IndexOutOfBoundsException("frames [" + from + ", " + (from + n) + ") of a video with " + d + " frames");
        }
        int bc = video.dim(0) * video.dim(1);
        int plane = video.dim(3) * video.dim(4);
        float[] out = new float[bc * n * plane];
        for (int i = 0; i < bc; i++) {
            System.arraycopy(video.data(), (i * d + from) * plane, out, i * n * plane, n * plane);
        }
        return Tensor.of(out, video.dim(0), video.dim(1), n, video.dim(3), video.dim(4));
    }

    /**
     * Copies {@code chunk} into frames [at, at + n) of {@code video}, in place.
     *
     * @param chunk frames (B, C, n, H, W)
     * @param video the video written to (B, C, D, H, W), with the same B, C, H and W
     * @param at    the first frame written, from 0
     * @throws IllegalArgumentException if the shapes differ or the frames do not fit in D
     */
    public static void copyInto(Tensor chunk, Tensor video, int at) {
        int d = video.dim(2);
        int n = chunk.dim(2);
        if (at < 0 || at + n > d || chunk.dim(0) != video.dim(0) || chunk.dim(1) != video.dim(1)
                || chunk.dim(3) != video.dim(3) || chunk.dim(4) != video.dim(4)) {
            throw new IllegalArgumentException("cannot place " + chunk.shapeString() + " at frame " + at + " of "
                    + video.shapeString());
        }
        int bc = video.dim(0) * video.dim(1);
        int plane = video.dim(3) * video.dim(4);
        for (int i = 0; i < bc; i++) {
            System.arraycopy(chunk.data(), i * n * plane, video.data(), (i * d + at) * plane, n * plane);
        }
    }
}
