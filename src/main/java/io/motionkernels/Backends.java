package io.motionkernels;

import io.motionkernels.cuda.CudaAvailability;

/** Decides which backend a model runs on, and why CUDA cannot be used when it cannot. */
public final class Backends {
    private Backends() {
    }

    /** Why the CUDA backend cannot run models here, or null when it can. */
    public static String cudaUnavailableReason() {
        CudaAvailability.Status s = CudaAvailability.probe();
        return s.usable() ? null : s.reason();
    }

    static Backend resolve(Backend requested) {
        return switch (requested) {
            case CPU -> Backend.CPU;
            case AUTO -> cudaUnavailableReason() == null ? Backend.CUDA : Backend.CPU;
            case CUDA -> {
                String why = cudaUnavailableReason();
                if (why != null) {
                    throw new MotionKernelsException("--backend cuda was asked for, but CUDA cannot be used: " + why
                            + ". Use --backend cpu (or auto), or run `info` to see what this machine can use.");
                }
                yield Backend.CUDA;
            }
        };
    }
}
