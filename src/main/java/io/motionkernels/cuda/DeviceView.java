package io.motionkernels.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A non-owning window of {@code floats} float32 values on the device. The memory belongs to a
 * {@link DeviceBuffer}; a view is only valid while that buffer is open.
 */
public record DeviceView(CUdeviceptr ptr, long floats) {
    /** A null device pointer, for the kernels' optional arguments (scale, shift, mask). */
    public static final DeviceView NULL = new DeviceView(new CUdeviceptr(), 0);

    public DeviceView {
        if (floats < 0) {
            throw new IllegalArgumentException("negative view length " + floats);
        }
    }

    public long bytes() {
        return floats * Float.BYTES;
    }

    /** The sub-window [offset, offset + length) in floats. */
    public DeviceView slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > floats) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + length) + ") of a view of " + floats + " floats");
        }
        return new DeviceView(ptr.withByteOffset(offset * Float.BYTES), length);
    }

    /** Throws unless this view holds at least {@code n} floats: catches host-side size slips before the GPU does. */
    DeviceView require(String what, long n) {
        if (this != NULL && floats < n) {
            throw new IllegalArgumentException(what + " needs " + n + " floats, the device view has " + floats);
        }
        return this;
    }
}
