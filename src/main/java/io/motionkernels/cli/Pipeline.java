package io.motionkernels.cli;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.media.FrameSink;
import io.motionkernels.media.FrameStream;
import io.motionkernels.media.MediaWriter;
import io.motionkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs {@code animate} as three stages, each on its own thread: a reader decodes the driving
 * video a few batches ahead, the model animates batch after batch, a writer encodes the results
 * behind it. The queues between them hold two batches each, so memory stays bounded however long
 * the video is. A failure in any stage stops the others and is rethrown; the output is then never
 * finished, so nothing half-written is left.
 */
final class Pipeline {
    /** Frames animated, and where the time went (reading and writing ran beside the model). */
    record Result(long frames, double seconds, double modelSeconds, double readSeconds, double writeSeconds) {
    }

    private record Item(Tensor driving, Tensor result, Throwable failure) {
        static final Item END = new Item(null, null, null);
    }

    private final FrameStream input;
    private final java.util.function.UnaryOperator<Tensor> animation;
    private final FrameSink sink;
    private final int batch;
    private final MediaWriter.View view;
    private final AnimateCommand.Progress progress;
    private final BlockingQueue<Item> read = new ArrayBlockingQueue<>(2);
    private final BlockingQueue<Item> animated = new ArrayBlockingQueue<>(2);
    private volatile boolean stopped;
    private volatile Throwable writeFailure;
    private long readNanos;
    private long writeNanos;

    Pipeline(FrameStream input, java.util.function.UnaryOperator<Tensor> animation, FrameSink sink, int batch, MediaWriter.View view,
            AnimateCommand.Progress progress) {
        this.input = input;
        this.animation = animation;
        this.sink = sink;
        this.batch = batch;
        this.view = view;
        this.progress = progress;
    }

    Result run() {
        long start = System.nanoTime();
        Thread reader = new Thread(this::readAll, "animate-reader");
        Thread writer = new Thread(this::writeAll, "animate-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
        long modelNanos = 0;
        long frames = 0;
        try {
            while (true) {
                Item item = take(read);
                if (item.failure() != null) {
                    throw rethrow(item.failure());
                }
                if (item == Item.END) {
                    break;
                }
                long t = System.nanoTime();
                Tensor result = animation.apply(item.driving());
                io.motionkernels.tensor.Finite.requireResult(result);
                modelNanos += System.nanoTime() - t;
                frames += result.dim(2);
                put(animated, new Item(view == MediaWriter.View.SIDE_BY_SIDE ? item.driving() : null, result, null));
                progress.update(frames);
                if (writeFailure != null) {
                    throw rethrow(writeFailure);
                }
            }
            if (frames == 0) {
                throw new MotionKernelsException("the driving video has no frames: give one with at least one frame");
            }
            put(animated, Item.END);
            join(writer);
            if (writeFailure != null) {
                throw rethrow(writeFailure);
            }
            progress.done();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
            reader.interrupt();
            writer.interrupt();
            throw new MotionKernelsException("interrupted");
        } catch (RuntimeException | Error e) {
            stopped = true;
            reader.interrupt();
            writer.interrupt();
            join(reader);
            join(writer);
            throw e;
        }
        join(reader);
        return new Result(frames, (System.nanoTime() - start) / 1e9, modelNanos / 1e9, readNanos / 1e9,
                writeNanos / 1e9);
    }

    private void readAll() {
        try {
            while (!stopped) {
                long t = System.nanoTime();
                List<Tensor> frames = new ArrayList<>(batch);
                for (Tensor f = null; frames.size() < batch && (f = input.next()) != null; ) {
                    frames.add(f);
                }
                Tensor chunk = frames.isEmpty() ? null : stack(frames);
                readNanos += System.nanoTime() - t;
                if (chunk == null) {
                    put(read, Item.END);
                    return;
                }
                put(read, new Item(chunk, null, null));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            try {
                put(read, new Item(null, null, e));
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void writeAll() {
        try {
            while (true) {
                Item item = take(animated);
                if (item == Item.END) {
                    long t = System.nanoTime();
                    sink.finish();
                    writeNanos += System.nanoTime() - t;
                    return;
                }
                long t = System.nanoTime();
                sink.write(item.driving(), item.result());
                writeNanos += System.nanoTime() - t;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            writeFailure = e;
            // Keep taking so that the model never blocks on a full queue; it sees the failure.
            try {
                while (!stopped && take(animated) != Item.END) {
                    // discard
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** (1, 3, 1, H, W) frames as one (1, 3, n, H, W) batch. */
    private static Tensor stack(List<Tensor> frames) {
        int n = frames.size();
        Tensor first = frames.get(0);
        int h = first.dim(3);
        int w = first.dim(4);
        int plane = h * w;
        float[] data = new float[3 * n * plane];
        for (int f = 0; f < n; f++) {
            float[] src = frames.get(f).data();
            for (int c = 0; c < 3; c++) {
                System.arraycopy(src, c * plane, data, (c * n + f) * plane, plane);
            }
        }
        return Tensor.of(data, 1, 3, n, h, w);
    }

    private static Item take(BlockingQueue<Item> q) throws InterruptedException {
        return q.take();
    }

    private static void put(BlockingQueue<Item> q, Item item) throws InterruptedException {
        q.put(item);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
