package io.motionkernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuInit;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

/**
 * Use of one device's primary context (the one the CUDA runtime and cuDNN share): retained on
 * open, released on close. The driver binds a context to a thread; {@link #makeCurrent()} binds
 * it to the calling thread.
 */
public final class CudaContext implements AutoCloseable {
    private final CUdevice device;
    private final CUcontext context;
    private final int ordinal;
    private boolean closed;

    private CudaContext(int ordinal, CUdevice device, CUcontext context) {
        this.ordinal = ordinal;
        this.device = device;
        this.context = context;
    }

    public static CudaContext open(int ordinal) {
        JCudaSupport.enableExceptions();
        cuInit(0);
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, ordinal);
        CUcontext ctx = new CUcontext();
        cuDevicePrimaryCtxRetain(ctx, dev);
        try {
            cuCtxSetCurrent(ctx);
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(dev);
            throw e;
        }
        return new CudaContext(ordinal, dev, ctx);
    }

    public void makeCurrent() {
        checkOpen();
        cuCtxSetCurrent(context);
    }

    /** Waits for all work queued in this context. */
    public void synchronize() {
        checkOpen();
        cuCtxSynchronize();
    }

    public int ordinal() {
        return ordinal;
    }

    public String deviceName() {
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int n = 0;
        while (n < name.length && name[n] != 0) {
            n++;
        }
        return new String(name, 0, n, StandardCharsets.US_ASCII);
    }

    /** {major, minor}. */
    public int[] computeCapability() {
        return computeCapability(device);
    }

    static int[] computeCapability(CUdevice dev) {
        int[] major = new int[1];
        int[] minor = new int[1];
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        return new int[] {major[0], minor[0]};
    }

    public long totalMemoryBytes() {
        long[] bytes = new long[1];
        cuDeviceTotalMem(bytes, device);
        return bytes[0];
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("CUDA context already closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cuDevicePrimaryCtxRelease(device);
        }
    }
}
