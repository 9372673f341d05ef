package io.motionkernels.media;

import io.motionkernels.tensor.Frames;
import io.motionkernels.tensor.Tensor;

/**
 * Decoded frames in the engine's layout, a tensor (1, 3, D, H, W) of RGB values in [0, 1], with
 * the frame rate of the source when it had one (GIF delays) and NaN otherwise (stills, strips,
 * folders of frames).
 */
public final class Video {
    private final Tensor frames;
    private final double fps;

    /**
     * Decoded frames with their frame rate.
     *
     * @param frames the frames, (1, 3, D, H, W) with D at least 1, RGB in [0, 1]
     * @param fps    frames per second, positive and finite, or NaN when unknown
     * @throws IllegalArgumentException if the shape or the frame rate is not so
     */
    public Video(Tensor frames, double fps) {
        if (frames.rank() != 5 || frames.dim(0) != 1 || frames.dim(1) != 3 || frames.dim(2) < 1) {
            throw new IllegalArgumentException("video frames must have shape (1, 3, D>=1, H, W), got "
                    + frames.shapeString());
        }
        if (!Double.isNaN(fps) && !(fps > 0 && fps < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("fps must be positive and finite, or NaN when unknown, got " + fps);
        }
        this.frames = frames;
        this.fps = fps;
    }

    /** {@return all frames, (1, 3, D, H, W), values in [0, 1]} */
    public Tensor frames() {
        return frames;
    }

    /** {@return frames per second of the source, or NaN when it did not say} */
    public double fps() {
        return fps;
    }

    /** {@return whether the source said its frame rate} */
    public boolean hasFps() {
        return !Double.isNaN(fps);
    }

    /**
     * {@return the source's frame rate when known, {@code fallback} otherwise}
     *
     * @param fallback the frame rate to use when the source did not say one
     */
    public double fpsOr(double fallback) {
        return hasFps() ? fps : fallback;
    }

    /** {@return D, the number of frames} */
    public int frameCount() {
        return frames.dim(2);
    }

    /** {@return H, the frame height in pixels} */
    public int height() {
        return frames.dim(3);
    }

    /** {@return W, the frame width in pixels} */
    public int width() {
        return frames.dim(4);
    }

    /**
     * {@return frame {@code index} as a (1, 3, 1, H, W) tensor (a copy)}
     *
     * @param index the frame, from 0
     * @throws IndexOutOfBoundsException if {@code index} is not in [0, D)
     */
    public Tensor frame(int index) {
        int d = frameCount();
        if (index < 0 || index >= d) {
            throw new IndexOutOfBoundsException("frame " + index + " of a video with " + d + " frames");
        }
        return Frames.slice(frames, index, 1);
    }

    /** {@return the first frame as a (1, 3, 1, H, W) source image (a copy)} */
    public Tensor firstFrame() {
        return frame(0);
    }

    @Override
    public String toString() {
        return "Video[" + frameCount() + " frames of " + width() + "x" + height()
                + (hasFps() ? ", " + fps + " fps" : "") + "]";
    }
}
