package io.motionkernels.bench;

import io.motionkernels.Precision;
import io.motionkernels.cuda.CudaAvailability;
import io.motionkernels.cuda.CudaOps;
import io.motionkernels.cuda.CudnnDevice;
import io.motionkernels.cuda.DeviceBuffer;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One GPU benchmark state's device: the cuDNN device (context, kernels, stream, cuDNN handle) and
 * every device buffer the state uploads, closed together. Opening fails fast, with the probe's
 * reason, on a machine where the CUDA backend is not usable, so that a GPU benchmark run by
 * mistake on a CPU machine stops at its first @Setup instead of measuring nothing.
 */
final class GpuSession implements AutoCloseable {
    final CudnnDevice device;
    final CudaOps ops;
    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private boolean closed;

    private GpuSession(CudnnDevice device) {
        this.device = device;
        this.ops = new CudaOps(device.runtime());
    }

    static GpuSession open(Precision precision) {
        requireCuda();
        return new GpuSession(CudnnDevice.open(0, precision));
    }

    /** Throws with the probe's reason unless the CUDA backend can run here. */
    static void requireCuda() {
        CudaAvailability.Status s = CudaAvailability.probe();
        if (!s.usable()) {
            throw new IllegalStateException("GPU benchmarks need a usable CUDA backend, and this machine has none: "
                    + s.reason() + ". Run them on a GPU machine with bench/run-gpu.sh; bench/quick.sh and "
                    + "bench/run-comparison.sh leave them out unless CUDA_BENCH=1.");
        }
    }

    /** A device copy of {@code t}'s values, owned by this session. */
    DeviceBuffer upload(Tensor t) {
        return upload(t.data());
    }

    DeviceBuffer upload(float[] host) {
        DeviceBuffer b = DeviceBuffer.of(host);
        buffers.add(b);
        return b;
    }

    /** An output buffer, NaN-filled so that a value the kernel never writes fails {@link #check}. */
    DeviceBuffer output(long floats) {
        DeviceBuffer b = DeviceBuffer.allocate(floats);
        buffers.add(b);
        b.fill(Float.NaN);
        return b;
    }

    /** Binds the context to the calling (JMH worker) thread: a CUDA context is current per thread. */
    void bind() {
        device.bindThread();
    }

    void sync() {
        device.runtime().synchronize();
    }

    /**
     * Compares a GPU result with the CPU engine's on the same inputs before anything is timed: the
     * kernels have not yet been verified on a GPU, and the speed of a wrong kernel is meaningless.
     * Relative L2 error against the CPU result, bound {@code tol}; every value must be finite.
     */
    static void check(String what, float[] gpu, float[] cpu, double tol) {
        if (gpu.length != cpu.length) {
            throw new IllegalStateException(what + ": GPU result has " + gpu.length + " values, CPU " + cpu.length);
        }
        for (int i = 0; i < gpu.length; i++) {
            if (!Float.isFinite(gpu[i])) {
                throw new IllegalStateException(what + ": GPU value " + i + " is " + gpu[i] + " (kernel broken or output unwritten)");
            }
        }
        double rel = io.motionkernels.conformance.Comparison.relativeL2(gpu, cpu);
        if (!(rel <= tol)) {
            throw new IllegalStateException(what + ": GPU differs from the CPU engine, relative L2 error " + rel
                    + " > " + tol + "; not benchmarking a wrong kernel");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            device.bindThread();
            for (int i = buffers.size() - 1; i >= 0; i--) {
                buffers.get(i).close();
            }
            buffers.clear();
        } finally {
            device.close();
        }
    }
}
