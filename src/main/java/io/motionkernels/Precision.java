package io.motionkernels;

/** Arithmetic of the GPU backend's convolutions (the CPU backend is always strict float32). */
public enum Precision {
    /**
     * IEEE float32 with FMA only: cuDNN may not use TF32 tensor cores (CUDNN_FMA_MATH). The mode for
     * verification against the 1e-4 float32 bound of the reference cases.
     */
    STRICT,
    /**
     * Tensor cores allowed (CUDNN_DEFAULT_MATH: TF32 for float32 data on Ampere and later, 10-bit
     * mantissa products; never a down-conversion to FP16): faster; its bound against the reference
     * cases is 3e-3 (golden/FORMAT.md).
     */
    FAST;

    /**
     * Parses a precision's name, as the command line's {@code --precision} takes it.
     *
     * @param s {@code strict} or {@code fast}, in any case
     * @return the precision
     * @throws MotionKernelsException for any other name
     */
    public static Precision parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "strict" -> STRICT;
            case "fast" -> FAST;
            default -> throw new MotionKernelsException("unknown precision '" + s + "': use strict or fast");
        };
    }
}
