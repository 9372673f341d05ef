package io.motionkernels.cuda;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything one GPU session holds: the device's primary context, the kernel module and a stream.
 * Closing closes them in reverse order of creation (stream, module, context); a failure while
 * opening closes what was already opened. Use from one thread at a time, or call
 * {@link CudaContext#makeCurrent()} on a new thread first.
 */
public final class CudaRuntime implements AutoCloseable {
    private final CudaContext context;
    private final KernelModule module;
    private final CudaStream stream;
    private boolean closed;

    private CudaRuntime(CudaContext context, KernelModule module, CudaStream stream) {
        this.context = context;
        this.module = module;
        this.stream = stream;
    }

    public static CudaRuntime open(int deviceOrdinal) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            CudaContext ctx = CudaContext.open(deviceOrdinal);
            opened.push(ctx);
            KernelModule module = KernelModule.load();
            opened.push(module);
            CudaStream stream = CudaStream.create();
            return new CudaRuntime(ctx, module, stream);
        } catch (RuntimeException | Error e) {
            closeAll(opened, e);
            throw e;
        }
    }

    private static void closeAll(Deque<AutoCloseable> opened, Throwable primary) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception suppressed) {
                primary.addSuppressed(suppressed);
            }
        }
    }

    public CudaContext context() {
        return context;
    }

    public KernelModule module() {
        return module;
    }

    public CudaStream stream() {
        return stream;
    }

    public void launch(Kernel kernel, LaunchConfig cfg, Object... args) {
        module.launch(kernel, cfg, stream, args);
    }

    public void synchronize() {
        stream.synchronize();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (AutoCloseable c : new AutoCloseable[] {stream, module, context}) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new RuntimeException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
