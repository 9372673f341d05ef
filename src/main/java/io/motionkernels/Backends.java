package io.motionkernels;

import io.motionkernels.cuda.CudaAvailability;

/** Decides which backend a model runs on, and why CUDA cannot be used when it cannot. */
public final class Backends {
    private Backends() {
    }

    /** Why the CUDA backend cannot run models here, or null when it can. */
    public static String cudaUnavailableReason() {
        CudaAvailability.Status s = CudaAvailability.probe();
        if (!s.usable()) {
            return s.reason();
        }
        // The GPU, driver, kernels and cuDNN are all there, but the whole-model forward on the GPU
        // (cuDNN convolutions and the per-frame graph) is not in this build: say so rather than
        // silently running on the CPU.
        return "the GPU is usable for our kernels, but whole-model inference on CUDA is not implemented in"
                + " this version";
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
