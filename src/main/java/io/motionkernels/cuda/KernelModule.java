package io.motionkernels.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import io.motionkernels.MotionKernelsException;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * Owner of the loaded kernel module: the fatbin that the build compiled from {@code kernels/*.cu}
 * and put in the jar. The driver picks the machine code for the device (sm_80, sm_90) or JIT
 * compiles the compute_90 PTX for newer GPUs. Needs a current context.
 */
public final class KernelModule implements AutoCloseable {
    /** Where the build puts the fatbin (see the cuda-kernels profile of pom.xml). */
    public static final String FATBIN_RESOURCE = "/io/motionkernels/cuda/kernels.fatbin";

    private final CUmodule module;
    private final Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
    private boolean closed;

    private KernelModule(CUmodule module) {
        this.module = module;
    }

    /** True when this jar was built with nvcc and so carries the kernels. */
    public static boolean fatbinPresent() {
        return KernelModule.class.getResource(FATBIN_RESOURCE) != null;
    }

    /** The fatbin's bytes; throws a user-facing error when the build had no nvcc. */
    public static byte[] readFatbin() {
        try (InputStream in = KernelModule.class.getResourceAsStream(FATBIN_RESOURCE)) {
            if (in == null) {
                throw new MotionKernelsException("the CUDA kernels are not in this build (" + FATBIN_RESOURCE
                        + " is missing: nvcc was not found when the jar was built); rebuild on a machine with "
                        + "nvcc at /usr/local/bin/nvcc, or use the CPU backend");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new MotionKernelsException("cannot read the CUDA kernels from the jar: " + e.getMessage(), e);
        }
    }

    /** Loads the module and looks up every kernel, so that a missing symbol fails here, not mid-run. */
    public static KernelModule load() {
        byte[] image = readFatbin();
        JCudaSupport.enableExceptions();
        CUmodule m = new CUmodule();
        cuModuleLoadData(m, image);
        KernelModule km = new KernelModule(m);
        try {
            for (Kernel k : Kernel.values()) {
                CUfunction f = new CUfunction();
                cuModuleGetFunction(f, m, k.symbol());
                km.functions.put(k, f);
            }
            return km;
        } catch (RuntimeException e) {
            km.close();
            throw e;
        }
    }

    /**
     * Queues {@code kernel} on {@code stream}. The arguments are checked against the kernel's
     * signature first; an empty configuration launches nothing.
     */
    public void launch(Kernel kernel, LaunchConfig cfg, CudaStream stream, Object... args) {
        if (closed) {
            throw new IllegalStateException("kernel module already closed");
        }
        KernelArgs.validate(kernel, args);
        if (cfg.isEmpty()) {
            return;
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof DeviceView v) {
                params[i] = Pointer.to(v.ptr());
            } else if (a instanceof Integer n) {
                params[i] = Pointer.to(new int[] {n});
            } else if (a instanceof Long n) {
                params[i] = Pointer.to(new long[] {n});
            } else {
                params[i] = Pointer.to(new float[] {(Float) a});
            }
        }
        cuLaunchKernel(functions.get(kernel), cfg.gridX(), 1, 1, cfg.blockX(), 1, 1, cfg.sharedBytes(),
                stream.handle(), Pointer.to(params), null);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            functions.clear();
            cuModuleUnload(module);
        }
    }
}
