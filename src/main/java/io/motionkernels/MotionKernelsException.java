package io.motionkernels;

/**
 * The one exception type for problems a user can fix (bad input, a wrong configuration, a missing
 * GPU). Its message is written for that user: it names the problem and what to do. The command
 * line prints it without a stack trace.
 */
public class MotionKernelsException extends RuntimeException {
    public MotionKernelsException(String message) {
        super(message);
    }

    public MotionKernelsException(String message, Throwable cause) {
        super(message, cause);
    }
}
