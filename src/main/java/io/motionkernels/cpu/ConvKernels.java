package io.motionkernels.cpu;

/**
 * Chooses the convolution's GEMM inner kernel: {@link GemmVector} (Vector API) when the JVM was
 * started with {@code --add-modules jdk.incubator.vector}, else the auto-vectorised
 * {@link GemmKernel}. The system property {@code motionkernels.simd=false} forces the scalar one.
 *
 * <p>{@link GemmVector} is referenced only behind {@link #vector()}, so without the module it is
 * never loaded and its missing imports never resolved.
 */
final class ConvKernels {
    /** Whether the Vector API kernel can run in this JVM and is not switched off. */
    static final boolean VECTOR_AVAILABLE = detect();

    /** Package-private switch for tests and benchmarks; never true unless VECTOR_AVAILABLE. */
    private static volatile boolean useVector = VECTOR_AVAILABLE;

    private ConvKernels() {
    }

    private static boolean detect() {
        if ("false".equalsIgnoreCase(System.getProperty("motionkernels.simd", "").trim())) {
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            // links the class and its Vector API species now, so a broken module fails here, not mid-convolution
            GemmVector.accumulate(new float[4], 0, 1, 1, new float[][] {new float[1]}, 0, 1, new float[][] {new float[1]},
                    0, 1);
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    static boolean vector() {
        return useVector;
    }

    /** Selects the Vector API kernel (if available) or the scalar one; returns the previous choice. */
    static boolean useVector(boolean on) {
        boolean was = useVector;
        useVector = on && VECTOR_AVAILABLE;
        return was;
    }
}
