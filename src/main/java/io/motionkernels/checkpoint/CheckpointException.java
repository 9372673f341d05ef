package io.motionkernels.checkpoint;

import io.motionkernels.MotionKernelsException;

/** A checkpoint or weights file that cannot be used: the message names the file and the problem. */
public class CheckpointException extends MotionKernelsException {
    /**
     * A checkpoint problem with no underlying exception.
     *
     * @param message the file and the problem, for the user
     */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * A checkpoint problem that another failure (usually I/O) caused.
     *
     * @param message the file and the problem, for the user
     * @param cause   the underlying failure
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
