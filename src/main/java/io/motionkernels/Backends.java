package io.motionkernels;

import io.motionkernels.cuda.CudaAvailability;

import java.util.ArrayList;
import java.util.List;

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
        List<String> missing = missingCudaDependencies();
        if (!missing.isEmpty()) {
            return "the CUDA backend needs these dependencies, which are not on the class path: "
                    + String.join(", ", missing) + " (they are optional dependencies of motion-kernels: "
                    + "add them to the application, see the README's \"Depending on motion-kernels\")";
        }
        CudaAvailability.Status s = CudaAvailability.probe();
        return s.usable() ? null : s.reason();
    }

    /** Opens the first GPU for a model (only called once CUDA was found usable). */
    static io.motionkernels.engine.Device openCuda(Precision precision, int ordinal) {
        return io.motionkernels.cuda.CudnnDevice.open(ordinal, precision);
    }

    /** Whether the CPU convolutions use the Vector API (the JVM was started with --add-modules jdk.incubator.vector). */
    public static boolean vectorConvolution() {
        return io.motionkernels.cpu.CpuKernels.vectorConvolution();
    }

    /** Which CPU convolution runs, in a sentence (for logs and {@code info}). */
    public static String cpuConvolution() {
        return io.motionkernels.cpu.CpuKernels.describe();
    }

    /**
     * The CUDA backend's optional Maven dependencies (pom.xml) that are absent, looked up without
     * loading any CUDA class: a CPU-only application has none of them, and the CUDA classes cannot
     * even be linked without them. Empty when all are present.
     */
    public static List<String> missingCudaDependencies() {
        ClassLoader loader = Backends.class.getClassLoader();
        List<String> missing = new ArrayList<>();
        if (!hasClass(loader, "jcuda.driver.JCudaDriver")) {
            missing.add("org.jcuda:jcuda:12.6.0");
        }
        if (loader.getResource("lib/libJCudaDriver-12.6.0-linux-x86_64.so") == null) {
            missing.add("org.jcuda:jcuda-natives:12.6.0:linux-x86_64");
        }
        if (!hasClass(loader, "org.bytedeco.cuda.global.cudnn")) {
            missing.add("org.bytedeco:cuda:13.1-9.19-1.5.13");
        }
        if (loader.getResource("org/bytedeco/cuda/linux-x86_64/libjnicudnn.so") == null) {
            missing.add("org.bytedeco:cuda:13.1-9.19-1.5.13:linux-x86_64");
        }
        if (!hasClass(loader, "org.bytedeco.javacpp.Loader")) {
            missing.add("org.bytedeco:javacpp:1.5.13");
        }
        if (loader.getResource("org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so") == null) {
            missing.add("org.bytedeco:javacpp:1.5.13:linux-x86_64");
        }
        return missing;
    }

    private static boolean hasClass(ClassLoader loader, String name) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static Backend resolve(Backend requested) {
        return switch (requested) {
            case CPU -> Backend.CPU;
            case AUTO -> autoChoice();
            case CUDA -> {
                String why = cudaUnavailableReason();
                if (why != null) {
                    throw new BackendUnavailableException("CUDA cannot be used: " + why, null);
                }
                yield Backend.CUDA;
            }
        };
    }
}
