package io.motionkernels.cpu;

/**
 * Whether the softmaxes and kp2gaussian run their Vector API forms ({@link VectorMath})
 * or the portable scalar ones they are checked against. Like {@link ConvKernels}, this class
 * imports nothing from {@code jdk.incubator.vector}, so without the module {@link VectorMath} is
 * never loaded. {@code -Dmotionkernels.simd=false} turns both off.
 */
final class VectorOps {
    /** Whether the Vector API forms can run in this JVM and are not switched off. */
    static final boolean AVAILABLE = detect();

    /** Package-private switch for tests and benchmarks; never true unless AVAILABLE. */
    private static volatile boolean on = AVAILABLE;

    private VectorOps() {
    }

    /** The module is on the command line and {@code motionkernels.simd} is not false: the kernels may be linked. */
    static boolean moduleAllowed() {
        return !"false".equalsIgnoreCase(System.getProperty("motionkernels.simd", "").trim())
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static boolean detect() {
        if (!moduleAllowed()) {
            return false;
        }
        try {
            // links VectorMath and its species now, so a broken module fails here and not mid-frame
            return VectorMath.selfCheck();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    static boolean on() {
        return on;
    }

    /** Selects the Vector API forms (if available) or the scalar ones; returns the previous choice. */
    static boolean use(boolean vector) {
        boolean was = on;
        on = vector && AVAILABLE;
        return was;
    }
}
