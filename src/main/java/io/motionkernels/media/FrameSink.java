package io.motionkernels.media;

import io.motionkernels.tensor.Tensor;

/**
 * An output being written frame by frame (see {@link MediaWriter#open}). Nothing appears at the
 * output path until {@link #finish}: closing without finishing removes what was written, so a
 * failed run leaves no half-written file. Not thread-safe; one thread writes it (the command
 * line's writer thread).
 */
public interface FrameSink extends AutoCloseable {
    /**
     * Adds frames.
     *
     * @param driving for a side-by-side view, the driving frames the result was made from (same
     *                shape as {@code result}); null otherwise
     * @param result  the animated frames (1, 3, D, H, W) in [0, 1]
     * @throws MediaException if the output cannot be written or the frames pass the limits
     */
    void write(Tensor driving, Tensor result);

    /**
     * Completes the file and moves it into place.
     *
     * @throws MediaException if the file cannot be encoded or moved into place
     */
    void finish();

    /** {@return the number of frames written so far} */
    long frames();

    /** Removes the unfinished file, if {@link #finish} was not called. Idempotent. */
    @Override
    void close();
}
