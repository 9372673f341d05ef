package io.motionkernels.cpu;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParallelTest {
    private static void assertEachOnce(int n, long cost) {
        AtomicIntegerArray calls = new AtomicIntegerArray(Math.max(n, 1));
        Parallel.forRange(n, cost, calls::incrementAndGet);
        for (int i = 0; i < n; i++) {
            assertEquals(1, calls.get(i), "index " + i + " of " + n + " at cost " + cost);
        }
    }

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int n : new int[] {0, 1, 2, 3, 7, 64, 1000, 100_003}) {
            for (long cost : new long[] {1, 1000, 1_000_000}) {
                assertEachOnce(n, cost);
            }
        }
    }

    @Test
    void workersFollowThePoolTheCallerRunsIn() {
        assertEquals(Runtime.getRuntime().availableProcessors(), Parallel.workers());
        for (int threads : new int[] {1, 3}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                Set<Thread> seen = ConcurrentHashMap.newKeySet();
                int workers = pool.submit(() -> {
                    Parallel.forRange(64, 1_000_000, i -> {
                        // the split stays inside the model's pool, whatever the machine's cores
                        assertSame(pool, ForkJoinTask.getPool());
                        seen.add(Thread.currentThread());
                    });
                    return Parallel.workers();
                }).join();
                assertEquals(threads, workers);
                assertTrue(seen.size() <= threads, seen.size() + " threads in a pool of " + threads);
                if (threads == 1) {
                    assertEquals(1, seen.size());
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
