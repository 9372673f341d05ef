package io.motionkernels.media;

import io.motionkernels.MotionKernelsException;

/**
 * An input or output media file that cannot be used: the message names the file, the problem and
 * what to do about it.
 */
public class MediaException extends MotionKernelsException {
    public MediaException(String message) {
        super(message);
    }

    public MediaException(String message, Throwable cause) {
        super(message, cause);
    }
}
