package io.motionkernels.cpu;

/**
 * Which convolution the CPU backend runs in this JVM. The fast one needs the incubating Vector API,
 * which Java 17 only resolves when started with {@code --add-modules jdk.incubator.vector}; without
 * it the backend computes the same function with a portable kernel several times slower, and says
 * so here rather than silently.
 */
public final class CpuKernels {
    /** The java option that turns on the Vector API convolution. */
    public static final String VECTOR_OPTION = "--add-modules jdk.incubator.vector";

    private CpuKernels() {
    }

    /** Whether convolutions run the Vector API kernel. */
    public static boolean vectorConvolution() {
        return ConvKernels.vector();
    }

    /** One line for {@code info}: the convolution kernel in use and, when it is the slow one, why. */
    public static String describe() {
        if (ConvKernels.vector()) {
            return "convolution: Vector API, direct (" + ConvDirect.vectorBits() + "-bit vectors)";
        }
        if ("false".equalsIgnoreCase(System.getProperty("motionkernels.simd", "").trim())) {
            return "convolution: portable kernel (-Dmotionkernels.simd=false)";
        }
        return "convolution: portable kernel, several times slower: start java with " + VECTOR_OPTION;
    }
}
