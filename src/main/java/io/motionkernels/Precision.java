package io.motionkernels;

/** Arithmetic of the GPU backend's convolutions (the CPU backend is always strict float32). */
public enum Precision {
    /**
     * IEEE float32 with FMA only: cuDNN may not use TF32 tensor cores (CUDNN_FMA_MATH). The
     * reference cases hold to 1e-4 in this mode.
     */
    STRICT,
    /**
     * Tensor cores allowed (CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: TF32 for float32 data, 10-bit
     * mantissa products): faster, and about 1e-3 from the reference.
     */
    FAST;

    public static Precision parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "strict" -> STRICT;
            case "fast" -> FAST;
            default -> throw new MotionKernelsException("unknown precision '" + s + "': use strict or fast");
        };
    }
}
