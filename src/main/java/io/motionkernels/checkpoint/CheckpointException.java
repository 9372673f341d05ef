package io.motionkernels.checkpoint;

import io.motionkernels.MotionKernelsException;

/** A checkpoint or weights file that cannot be used: the message names the file and the problem. */
public class CheckpointException extends MotionKernelsException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
