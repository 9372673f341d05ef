package io.motionkernels;

/**
 * The one exception type for problems a user can fix (bad input, a wrong configuration, a missing
 * GPU). Its message is written for that user: it names the problem and what to do. The command
 * line prints it without a stack trace.
 */
public class MotionKernelsException extends RuntimeException {
    /**
     * A problem with no underlying exception.
     *
     * @param message the problem and what to do, for the user
     */
    public MotionKernelsException(String message) {
        super(message);
    }

    /**
     * A problem that another failure caused.
     *
     * @param message the problem and what to do, for the user
     * @param cause   the underlying failure
     */
    public MotionKernelsException(String message, Throwable cause) {
        super(message, cause);
    }
}
