package io.motionkernels;

import io.motionkernels.cuda.CudaAvailability;

/** Decides which backend a model runs on, and why CUDA cannot be used when it cannot. */
public final class Backends {
    private Backends() {
    }

    /**
     * Whether {@link Backend#AUTO} may pick CUDA. The whole-model GPU path has not yet run on a GPU
     * (native-tests/RESULTS.md), so until a recorded run proves it against the reference cases, AUTO
     * stays on the CPU, the verified reference, and CUDA is only used when asked for by name.
     */
    static final boolean AUTO_USES_CUDA = false;

    /** What {@link Backend#AUTO} resolves to on this machine. */
    public static Backend autoChoice() {
        return AUTO_USES_CUDA && cudaUnavailableReason() == null ? Backend.CUDA : Backend.CPU;
    }

    /** Why the CUDA backend cannot run models here, or null when it can. */
    public static String cudaUnavailableReason() {
        CudaAvailability.Status s = CudaAvailability.probe();
        return s.usable() ? null : s.reason();
    }

    /** Opens the first GPU for a model (only called once CUDA was found usable). */
    static io.motionkernels.engine.Device openCuda(Precision precision) {
        return io.motionkernels.cuda.CudnnDevice.open(0, precision);
    }

    static Backend resolve(Backend requested) {
        return switch (requested) {
            case CPU -> Backend.CPU;
            case AUTO -> autoChoice();
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
