package io.motionkernels;

/** Where a model runs. */
public enum Backend {
    /** CUDA when a usable GPU is present, else the CPU. */
    AUTO,
    /** Pure Java on all cores: the reference every GPU kernel is checked against. */
    CPU,
    /** NVIDIA GPU: hand-written kernels and cuDNN 9. */
    CUDA;

    /**
     * Parses a backend's name, as the command line's {@code --backend} takes it.
     *
     * @param s {@code auto}, {@code cpu} or {@code cuda}, in any case
     * @return the backend
     * @throws MotionKernelsException for any other name
     */
    public static Backend parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> AUTO;
            case "cpu" -> CPU;
            case "cuda" -> CUDA;
            default -> throw new MotionKernelsException("unknown backend '" + s + "': use auto, cpu or cuda");
        };
    }
}
