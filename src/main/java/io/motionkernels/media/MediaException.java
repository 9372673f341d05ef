package io.motionkernels.media;

import io.motionkernels.MotionKernelsException;

/**
 * An input or output media file that cannot be used: the message names the file, the problem and
 * what to do about it.
 */
public class MediaException extends MotionKernelsException {
    /**
     * A media problem with no underlying exception.
     *
     * @param message the file, the problem and what to do, for the user
     */
    public MediaException(String message) {
        super(message);
    }

    /**
     * A media problem that another failure (a decoder's, I/O) caused.
     *
     * @param message the file, the problem and what to do, for the user
     * @param cause   the underlying failure
     */
    public MediaException(String message, Throwable cause) {
        super(message, cause);
    }
}
