package io.motionkernels.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Runs independent loop iterations on a {@link Team}: the calling thread and the team's workers
 * take ranges of the iterations from one shared counter, so every CPU operation splits its work
 * the same way (over frames, channels or rows) without owning threads of its own.
 *
 * <p>Why not the common fork-join pool, which this used to run on: a model called from an
 * application thread is an external submitter there, and in JDK 17 an external thread that joins
 * a task a worker has taken waits instead of working. On 2 cores that left one pool worker doing
 * every split while the caller slept, and a streamed nemo frame took 83 ms where one thread alone
 * took 71 and a pool of the model's own (two workers, caller asleep) 57 (bench/RESULTS.md,
 * 2026-12-02, NodeProfile). A frame runs a few hundred splits of 0.01–3 ms each, so the cost of
 * waking a parked thread (tens of microseconds on a VM) matters too: workers spin for a while
 * ({@code -Dmotionkernels.spinMicros}, default 200) after their last range before they park,
 * as OpenMP's and ONNX Runtime's thread pools do.
 */
public final class Parallel {
    /** How long an idle worker polls for the next split before it parks. */
    static final long SPIN_NANOS = 1000L * Long.getLong("motionkernels.spinMicros", 200L);

    /** The team a thread's splits run on: a model's own (set by {@link Team#call}) or, if none, the default. */
    private static final ThreadLocal<Team> CURRENT = new ThreadLocal<>();

    private Parallel() {
    }

    /** The JVM's default team, of every core the JVM may use (the caller counts as one), made on first use. */
    private static final class Default {
        static final Team TEAM = new Team(Runtime.getRuntime().availableProcessors(), "motion-kernels-cpu");
    }

    /** {@return the team that every split of a thread without a team of its own runs on} */
    public static Team defaultTeam() {
        return Default.TEAM;
    }

    private static Team team() {
        Team t = CURRENT.get();
        return t != null ? t : Default.TEAM;
    }

    /**
     * Calls {@code body} for every i in [0, n), on the current team when {@code n * costPerItem}
     * (a rough count of floating-point operations) makes the split worth it. A split made while
     * the team is busy (from inside an iteration, or by a second thread calling at the same time)
     * runs on the calling thread alone. An exception thrown by an iteration is rethrown here, as it
     * was, after the other ranges of the split have finished or been skipped.
     */
    public static void forRange(int n, long costPerItem, IntConsumer body) {
        if (n <= 1 || (long) n * costPerItem < 32_768) {
            inline(n, body);
            return;
        }
        Team t = team();
        if (t.size == 1 || !t.acquire()) {
            inline(n, body);
            return;
        }
        try {
            t.execute(n, body);
        } finally {
            t.release();
        }
    }

    private static void inline(int n, IntConsumer body) {
        for (int i = 0; i < n; i++) {
            body.accept(i);
        }
    }

    /**
     * How many threads a split made now runs on: the current team's size (a model with a thread
     * count of its own, else every core the JVM may use). Kernels that size their own splits ask
     * this rather than the machine, so that a one-thread model does not cut its work for the whole
     * machine, and nothing assumes a core count.
     */
    public static int workers() {
        return team().size;
    }

    /**
     * A calling thread plus {@code size - 1} daemon workers. Closing it ends the workers; a split
     * on a closed team runs on the calling thread.
     */
    public static final class Team implements AutoCloseable {
        private final int size;
        private final Worker[] workers;
        /** Held by the thread whose split the team is running. */
        private final AtomicBoolean busy = new AtomicBoolean();
        /** Iterations run by the workers (not the caller), for tests and diagnostics. */
        private final AtomicLong workerItems = new AtomicLong();
        private volatile Job current;
        private volatile boolean closed;
        private int generation;

        /**
         * @param size the threads a split runs on, the caller included (1 or more)
         * @param name the workers' name prefix (thread dumps say whose they are)
         */
        public Team(int size, String name) {
            if (size < 1) {
                throw new IllegalArgumentException("a team needs at least one thread, got " + size);
            }
            this.size = size;
            this.workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, name + "-" + (i + 1));
            }
            for (Worker w : workers) {
                w.thread.start();
            }
        }

        /** {@return the threads a split of this team runs on, the caller included} */
        public int size() {
            return size;
        }

        /** {@return how many iterations the workers (not the callers) have run so far} */
        public long workerItems() {
            return workerItems.get();
        }

        /** Runs {@code call} on the calling thread with every split inside it on this team. */
        public <T> T call(Supplier<T> call) {
            Team previous = CURRENT.get();
            CURRENT.set(this);
            try {
                return call.get();
            } finally {
                if (previous == null) {
                    CURRENT.remove();
                } else {
                    CURRENT.set(previous);
                }
            }
        }

        private boolean acquire() {
            return !closed && busy.compareAndSet(false, true);
        }

        private void release() {
            busy.set(false);
        }

        /** Holding the team: publishes the split, wakes parked workers, takes ranges itself, waits for the rest. */
        private void execute(int n, IntConsumer body) {
            Job job = new Job(++generation, n, 2 * size, body);
            current = job;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            job.take(null);
            for (int spins = 0; job.done.get() < n; spins++) {
                if (spins < 10_000) {
                    Thread.onSpinWait();
                } else {
                    // a worker holding a range was descheduled: let it run
                    Thread.yield();
                }
            }
            current = null; // the split's body is not kept reachable past its end
            Throwable failure = job.failure;
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }

        /** Ends the workers (they finish the range they hold first). Idempotent. */
        @Override
        public void close() {
            closed = true;
            for (Worker w : workers) {
                LockSupport.unpark(w.thread);
            }
        }
    }

    /** One split: iterations are taken in ranges from {@code next}; {@code done} counts finished ones. */
    private static final class Job {
        final int generation;
        final int n;
        /** A range takes 1 / share of the iterations left. */
        final int share;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(int generation, int n, int share, IntConsumer body) {
            this.generation = generation;
            this.n = n;
            this.share = share;
            this.body = body;
        }

        /**
         * Runs ranges until none is left; after a failure the rest are counted, not run. A range
         * is a share of what is left (guided scheduling, as OpenMP's): large while much is left,
         * so that cheap iterations cost few atomic updates, and down to one iteration at the end,
         * so that the threads finish together (with fixed ranges of an eighth, a split of 9
         * conv tasks ran 5 on one thread and 4 on the other).
         */
        void take(AtomicLong items) {
            for (;;) {
                int lo = next.get();
                if (lo >= n) {
                    return;
                }
                int hi = Math.min(n, lo + Math.max(1, (n - lo) / share));
                if (!next.compareAndSet(lo, hi)) {
                    continue;
                }
                if (failure == null) {
                    try {
                        for (int i = lo; i < hi; i++) {
                            body.accept(i);
                        }
                    } catch (Throwable e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                    if (items != null) {
                        items.addAndGet(hi - lo);
                    }
                }
                done.addAndGet(hi - lo);
            }
        }
    }

    private static final class Worker implements Runnable {
        final Team team;
        final Thread thread;
        volatile boolean parked;

        Worker(Team team, String name) {
            this.team = team;
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            CURRENT.set(team); // a split made inside an iteration finds its team busy and runs inline
            int seen = 0;
            long idleSince = System.nanoTime();
            while (!team.closed) {
                Job job = team.current;
                if (job != null && job.generation != seen) {
                    seen = job.generation;
                    job.take(team.workerItems);
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // the caller sets current before it reads parked, this reads current after
                    // setting parked: one of the two sees the other's write
                    Job again = team.current;
                    if ((again == null || again.generation == seen) && !team.closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
