package io.motionkernels.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUdevice;

/**
 * Says whether the CUDA backend can run on this machine and, if not, why — without crashing:
 * every native failure (a missing library, no driver, no device) becomes a reason string. The
 * checks run in the order in which each depends on the one before, and stop at the first failure.
 */
public final class CudaAvailability {
    /** Lowest compute capability the fatbin has code for (sm_80 machine code). */
    public static final int MIN_COMPUTE_CAPABILITY = 80;

    private CudaAvailability() {
    }

    /**
     * The outcome: {@code usable} with the device described in {@code reason}, or not usable with
     * the first failing check and what to do. {@code checks} lists every check that ran.
     */
    public record Status(boolean usable, String reason, List<String> checks) {
        public Status {
            checks = List.copyOf(checks);
        }

        @Override
        public String toString() {
            return (usable ? "CUDA usable: " : "CUDA not usable: ") + reason;
        }
    }

    /** Probes the machine. Never throws for a machine without CUDA; safe to call repeatedly. */
    public static Status probe() {
        List<String> checks = new ArrayList<>();
        try {
            return run(checks);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
                throw vme;
            }
            return fail(checks, "unexpected failure while probing CUDA: " + describe(t));
        }
    }

    private static Status run(List<String> checks) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return fail(checks, "the CUDA backend ships natives for linux-x86_64 only; this is " + os + "-" + arch);
        }
        checks.add("platform linux-x86_64: ok");

        if (!KernelModule.fatbinPresent()) {
            return fail(checks, "the CUDA kernels were not built into this jar (nvcc was not found at build time); "
                    + "rebuild on a machine with nvcc at /usr/local/bin/nvcc");
        }
        checks.add("kernels.fatbin in the jar: ok");

        try {
            JCudaSupport.enableExceptions();
        } catch (LinkageError e) {
            String msg = describe(e);
            if (msg.contains("libcuda.so")) {
                return fail(checks, "no NVIDIA driver: libcuda.so.1 could not be loaded (install the NVIDIA driver, "
                        + "or run on a machine with an NVIDIA GPU)");
            }
            return fail(checks, "JCuda's native library failed to load: " + msg);
        }
        checks.add("JCuda driver binding and libcuda.so.1: ok");

        int[] version = new int[1];
        try {
            cuInit(0);
            cuDriverGetVersion(version);
        } catch (CudaException e) {
            return fail(checks, "the CUDA driver failed to initialise (" + e.getMessage() + ")"
                    + (String.valueOf(e.getMessage()).contains("NO_DEVICE") ? ": no CUDA device is visible" : ""));
        }
        checks.add("driver initialised, CUDA " + version[0] / 1000 + "." + (version[0] % 1000) / 10 + ": ok");

        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] == 0) {
            return fail(checks, "no CUDA device is visible (check CUDA_VISIBLE_DEVICES and nvidia-smi)");
        }
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, 0);
        int[] cc = CudaContext.computeCapability(dev);
        if (cc[0] * 10 + cc[1] < MIN_COMPUTE_CAPABILITY) {
            return fail(checks, "device 0 has compute capability " + cc[0] + "." + cc[1]
                    + "; the kernels need 8.0 or newer");
        }
        checks.add(count[0] + " device(s), device 0 compute capability " + cc[0] + "." + cc[1] + ": ok");

        String deviceName;
        try (CudaContext ctx = CudaContext.open(0)) {
            deviceName = ctx.deviceName();
            KernelModule.load().close();
        } catch (CudaException e) {
            return fail(checks, "the kernels failed to load on device 0 (" + e.getMessage()
                    + "); the driver may be older than the CUDA 13 toolkit that built them");
        }
        checks.add("kernel module loaded on " + deviceName + ": ok");

        Map<String, String> libs = NativeLibraries.locateCudnnNeeds();
        for (String lib : NativeLibraries.CUDNN_NEEDS) {
            checks.add(lib + (libs.containsKey(lib) ? " in " + libs.get(lib) : " not found") + (libs.containsKey(lib)
                    ? ": ok" : " (the load below decides)"));
        }
        String cudnn = probeCudnn();
        if (cudnn.startsWith("!")) {
            return fail(checks, cudnn.substring(1));
        }
        checks.add("cuDNN " + cudnn + ": ok");
        return new Status(true, deviceName + " (compute capability " + cc[0] + "." + cc[1] + "), CUDA driver "
                + version[0] / 1000 + "." + (version[0] % 1000) / 10 + ", cuDNN " + cudnn, checks);
    }

    /**
     * cuDNN through JavaCPP's presets, looked up reflectively so that a missing class or library
     * is an answer rather than a NoClassDefFoundError later. Returns the version, or "!" + reason.
     */
    static synchronized String probeCudnn() {
        // A failed native class load reads differently the second time; keep the first answer.
        if (cudnnAnswer == null) {
            cudnnAnswer = loadCudnn();
        }
        return cudnnAnswer;
    }

    private static String cudnnAnswer;

    private static String loadCudnn() {
        try {
            Class<?> cls = Class.forName("org.bytedeco.cuda.global.cudnn");
            Method getVersion = cls.getMethod("cudnnGetVersion");
            long v = ((Number) getVersion.invoke(null)).longValue();
            long major = v / 10000;
            if (major != 9) {
                return "!cuDNN " + v + " was loaded, but the backend needs cuDNN 9";
            }
            return major + "." + (v % 10000) / 100 + "." + v % 100;
        } catch (ClassNotFoundException e) {
            return "!JavaCPP's CUDA presets (org.bytedeco:cuda) are not on the class path";
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null
                    ? ite.getCause() : e;
            List<String> missing = NativeLibraries.missing(NativeLibraries.CUDNN_NEEDS,
                    NativeLibraries.locateCudnnNeeds());
            return "!" + NativeLibraries.cudnnLoadFailure(describe(cause), missing);
        }
    }

    private static Status fail(List<String> checks, String reason) {
        checks.add("FAILED: " + reason);
        return new Status(false, reason, checks);
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 600; c = c.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString().replace('\n', ' ');
    }
}
