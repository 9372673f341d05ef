package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;

/**
 * Chooses the convolution: {@link ConvDirect} (Vector API) when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, else {@link Conv2d}'s im2col GEMM over the
 * auto-vectorised {@link GemmKernel}. The system property {@code motionkernels.simd=false} forces
 * the latter.
 *
 * <p>{@link ConvDirect} is referenced only behind {@link #vector()}, so without the module it is
 * never loaded and its missing imports never resolved.
 */
final class ConvKernels {
    /** Whether the Vector API convolution can run in this JVM and is not switched off. */
    static final boolean VECTOR_AVAILABLE = detect();

    /** Package-private switch for tests and benchmarks; never true unless VECTOR_AVAILABLE. */
    private static volatile boolean useVector = VECTOR_AVAILABLE;

    private ConvKernels() {
    }

    private static boolean detect() {
        if (!VectorOps.moduleAllowed()) {
            return false;
        }
        try {
            // links the class and its Vector API species now, so a broken module fails here, not mid-convolution
            float[] out = new float[1];
            ConvDirect.of(new float[4], 4, new float[] {2f}, 1, 1, 1, 1, 1)
                    .run(new float[] {1f}, 0, 1, 1, 1, 1, 1, out, 0, 1, 0, null, 0, Activation.NONE);
            return out[0] == 2f;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    static boolean vector() {
        return useVector;
    }

    /** Selects the Vector API convolution (if available) or the scalar one; returns the previous choice. */
    static boolean useVector(boolean on) {
        boolean was = useVector;
        useVector = on && VECTOR_AVAILABLE;
        return was;
    }
}
