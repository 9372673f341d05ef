package io.motionkernels.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * Owner of one device allocation (cuMemAlloc, so 256-byte aligned). Copies are synchronous with
 * respect to the host (cuMemcpy without a stream), which is what the test helpers need; the
 * context must be current on the calling thread.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final CUdeviceptr ptr;
    private final long floats;
    private boolean closed;

    private DeviceBuffer(CUdeviceptr ptr, long floats) {
        this.ptr = ptr;
        this.floats = floats;
    }

    /** Allocates room for {@code floats} float32 values (at least one, so that the pointer is valid). */
    public static DeviceBuffer allocate(long floats) {
        if (floats < 0) {
            throw new IllegalArgumentException("negative buffer size " + floats);
        }
        JCudaSupport.enableExceptions();
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, Math.max(1, floats) * Float.BYTES);
        return new DeviceBuffer(p, floats);
    }

    /** A device copy of {@code host}. */
    public static DeviceBuffer of(float[] host) {
        DeviceBuffer b = allocate(host.length);
        try {
            b.upload(host);
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    public long floats() {
        return floats;
    }

    public DeviceView view() {
        checkOpen();
        return new DeviceView(ptr, floats);
    }

    public void upload(float[] host) {
        checkOpen();
        if (host.length > floats) {
            throw new IllegalArgumentException("uploading " + host.length + " floats into a buffer of " + floats);
        }
        if (host.length > 0) {
            cuMemcpyHtoD(ptr, Pointer.to(host), (long) host.length * Float.BYTES);
        }
    }

    /** Copies the first {@code host.length} floats back; waits for the work queued before it. */
    public void download(float[] host) {
        checkOpen();
        if (host.length > floats) {
            throw new IllegalArgumentException("downloading " + host.length + " floats from a buffer of " + floats);
        }
        if (host.length > 0) {
            cuMemcpyDtoH(Pointer.to(host), ptr, (long) host.length * Float.BYTES);
        }
    }

    public float[] download() {
        float[] host = new float[Math.toIntExact(floats)];
        download(host);
        return host;
    }

    /** Sets every value to {@code v} (NaN poisons an output before a test launch). */
    public void fill(float v) {
        checkOpen();
        if (floats > 0) {
            cuMemsetD32(ptr, Float.floatToRawIntBits(v), floats);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("device buffer already closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cuMemFree(ptr);
        }
    }
}
