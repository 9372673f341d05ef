package io.motionkernels.media;

import io.motionkernels.tensor.Tensor;

/**
 * The frames of one input, decoded one at a time, already fitted to the model's frame (see
 * {@link MediaReader#open}): a ten-minute video is never held in memory. Not thread-safe; one
 * thread reads it (the command line's reader thread).
 */
public interface FrameStream extends AutoCloseable {
    /**
     * The next frame, (1, 3, 1, H, W) RGB in [0, 1], or null after the last one (or after the
     * most frames asked for). Throws {@link MediaException} for a damaged file.
     */
    Tensor next();

    /** Frames per second, NaN when the input does not say (stills, strips, folders). */
    double fps();

    /**
     * How many frames the input declares (before any limit on frames read), or -1 when it does
     * not say in advance; a video container's count is an estimate.
     */
    long declaredFrames();

    /** What the input is, in a few words: "mp4 (h264 1920x1080, 30 fps)", "GIF 480x270". */
    String description();

    /** Releases the decoder. Idempotent. */
    @Override
    void close();
}
