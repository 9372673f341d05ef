package io.motionkernels.cpu;

import java.util.function.IntConsumer;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Runs independent loop iterations on the common fork-join pool. Every CPU operation splits its
 * work the same way (over frames, channels or rows), so that the machine's cores are used without
 * each operation owning threads of its own.
 */
public final class Parallel {
    private Parallel() {
    }

    /**
     * Calls {@code body} for every i in [0, n), in parallel when {@code n * costPerItem} (a rough
     * count of floating-point operations) makes the fork worth it.
     */
    public static void forRange(int n, long costPerItem, IntConsumer body) {
        ForkJoinPool pool = ForkJoinTask.getPool();
        int cores = workers();
        if (n <= 1 || (long) n * costPerItem < 32_768 || cores == 1) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
        } else {
            // About four ranges per core; a range splits in halves, so a call allocates a few dozen
            // small tasks where a parallel IntStream allocated a pipeline and spliterators per split.
            Range all = new Range(0, n, Math.max(1, n / (4 * cores)), body);
            if (pool != null) {
                all.invoke();
            } else {
                ForkJoinPool.commonPool().invoke(all);
            }
        }
    }

    /**
     * How many threads a split made now runs on: the parallelism of the pool the caller is a
     * worker of (a model with a thread count of its own), else every core the JVM may use (the
     * common pool's workers and the calling thread, which joins in). Kernels that size their own
     * splits should ask this rather than the machine, so that a one-thread model does not cut its
     * work for the whole machine, and nothing assumes a core count.
     */
    public static int workers() {
        ForkJoinPool pool = ForkJoinTask.getPool();
        return pool != null && pool != ForkJoinPool.commonPool() ? pool.getParallelism()
                : Runtime.getRuntime().availableProcessors();
    }

    private static final class Range extends RecursiveAction {
        private final int lo;
        private final int hi;
        private final int grain;
        private final IntConsumer body;

        Range(int lo, int hi, int grain, IntConsumer body) {
            this.lo = lo;
            this.hi = hi;
            this.grain = grain;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (hi - lo <= grain) {
                for (int i = lo; i < hi; i++) {
                    body.accept(i);
                }
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Range(lo, mid, grain, body), new Range(mid, hi, grain, body));
        }
    }
}
