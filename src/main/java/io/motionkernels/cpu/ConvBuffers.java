package io.motionkernels.cpu;

import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Large float buffers lent to one convolution call at a time (the channel-major path's packed
 * input, megabytes per call), so that a forward pass does not allocate and zero them per layer.
 *
 * <p>A pool that lends and takes back, not a per-thread buffer: the buffer is filled and read by
 * pool threads other than the caller, and a caller that is itself a pool thread may run another
 * convolution's tasks while it waits, which would then reuse a per-thread buffer still in use.
 * Buffers are held softly, so an idle pool never keeps memory the heap needs.
 */
final class ConvBuffers {
    /** Buffers kept when returned; the smallest goes first, since any call can use a larger one. */
    private static final int KEEP = 4;
    private static final List<SoftReference<float[]>> FREE = new ArrayList<>();

    private ConvBuffers() {
    }

    /** A buffer of at least {@code size} floats with arbitrary contents, owned by the caller until {@link #give}. */
    static float[] take(int size) {
        synchronized (FREE) {
            float[] best = null;
            int bestIndex = -1;
            for (int i = 0; i < FREE.size(); i++) {
                float[] a = FREE.get(i).get();
                if (a != null && a.length >= size && (best == null || a.length < best.length)) {
                    best = a;
                    bestIndex = i;
                }
            }
            if (best != null) {
                FREE.remove(bestIndex);
            }
            FREE.removeIf(r -> r.get() == null);
            if (best != null) {
                return best;
            }
        }
        return new float[size];
    }

    /** Returns a buffer from {@link #take}; the caller must not touch it afterwards. */
    static void give(float[] a) {
        synchronized (FREE) {
            FREE.add(new SoftReference<>(a));
            if (FREE.size() > KEEP) {
                int smallest = 0;
                long smallestLen = Long.MAX_VALUE;
                for (int i = 0; i < FREE.size(); i++) {
                    float[] b = FREE.get(i).get();
                    long len = b == null ? -1 : b.length;
                    if (len < smallestLen) {
                        smallestLen = len;
                        smallest = i;
                    }
                }
                FREE.remove(smallest);
            }
        }
    }
}
