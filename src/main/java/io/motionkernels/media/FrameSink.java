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
     * Adds frames: {@code result} (1, 3, D, H, W) and, for a side-by-side view, the
     * {@code driving} frames they were made from (same shape; null otherwise).
     */
    void write(Tensor driving, Tensor result);

    /** Completes the file and moves it into place. */
    void finish();

    /** Frames written so far. */
    long frames();

    /** Removes the unfinished file, if {@link #finish} was not called. Idempotent. */
    @Override
    void close();
}
