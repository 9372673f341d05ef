package io.motionkernels;

/** The CUDA backend was asked for by name but cannot run here; {@link #reason} says why. */
public final class BackendUnavailableException extends MotionKernelsException {
    /** What stands in the way, in a phrase. */
    private final String reason;

    BackendUnavailableException(String reason, Throwable cause) {
        super("the CUDA backend was asked for, but " + reason + ". Use Backend.CPU (or AUTO), or see "
                + "Backends.cudaUnavailableReason() for what this machine lacks", cause);
        this.reason = reason;
    }

    /** {@return what stands in the way, in a phrase ("CUDA cannot be used: no NVIDIA driver ...")} */
    public String reason() {
        return reason;
    }
}
