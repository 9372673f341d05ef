package io.motionkernels.cuda;

import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/** Owner of one CUDA stream: kernels queued on it run in order. */
public final class CudaStream implements AutoCloseable {
    private final CUstream stream;
    private boolean closed;

    private CudaStream(CUstream stream) {
        this.stream = stream;
    }

    public static CudaStream create() {
        JCudaSupport.enableExceptions();
        CUstream s = new CUstream();
        // A blocking stream (not CU_STREAM_NON_BLOCKING): it is ordered with the legacy default
        // stream that DeviceBuffer's synchronous copies use. A pageable upload may return before
        // its DMA has landed, and only that ordering keeps a kernel from reading it early.
        cuStreamCreate(s, CUstream_flags.CU_STREAM_DEFAULT);
        return new CudaStream(s);
    }

    CUstream handle() {
        if (closed) {
            throw new IllegalStateException("CUDA stream already closed");
        }
        return stream;
    }

    public void synchronize() {
        cuStreamSynchronize(handle());
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cuStreamDestroy(stream);
        }
    }
}
