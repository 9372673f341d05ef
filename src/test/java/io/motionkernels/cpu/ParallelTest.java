package io.motionkernels.cpu;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    void everyIndexRunsExactlyOnceOnTeamsOfEverySize() {
        for (int size : new int[] {1, 2, 3, 5}) {
            try (Parallel.Team team = new Parallel.Team(size, "test-team")) {
                for (int round = 0; round < 50; round++) {
                    int n = 1 + round * 37;
                    team.call(() -> {
                        assertEachOnce(n, 1_000_000);
                        return null;
                    });
                }
            }
        }
    }

    @Test
    void workersFollowTheTeamTheCallerRunsIn() {
        assertEquals(Runtime.getRuntime().availableProcessors(), Parallel.workers());
        for (int threads : new int[] {1, 3}) {
            try (Parallel.Team team = new Parallel.Team(threads, "test-team")) {
                Set<Thread> seen = ConcurrentHashMap.newKeySet();
                Thread caller = Thread.currentThread();
                long defaultItems = Parallel.defaultTeam().workerItems();
                int workers = team.call(() -> {
                    for (int r = 0; r < 20; r++) {
                        Parallel.forRange(64, 1_000_000, i -> {
                            // the split stays on the model's team, whatever the machine's cores
                            Thread t = Thread.currentThread();
                            assertTrue(t == caller || t.getName().startsWith("test-team-"), t.getName());
                            seen.add(t);
                            spin(20_000);
                        });
                    }
                    return Parallel.workers();
                });
                assertEquals(threads, workers);
                assertEquals(defaultItems, Parallel.defaultTeam().workerItems(), "the default team ran a model team's work");
                assertTrue(seen.size() <= threads, seen.size() + " threads in a team of " + threads);
                if (threads == 1) {
                    assertEquals(Set.of(caller), seen);
                    assertEquals(0, team.workerItems());
                } else {
                    // the workers join in: with 20 splits of 64 iterations of 20 us each, a
                    // worker that never woke would leave every iteration to the caller
                    assertTrue(team.workerItems() > 0, "the team's workers ran nothing");
                }
            }
            // outside the call the thread is back on the default team
            assertEquals(Runtime.getRuntime().availableProcessors(), Parallel.workers());
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aSplitInsideAnIterationRunsInlineAndCompletes() {
        try (Parallel.Team team = new Parallel.Team(3, "test-team")) {
            AtomicIntegerArray calls = new AtomicIntegerArray(40 * 50);
            team.call(() -> {
                Parallel.forRange(40, 1_000_000, i -> Parallel.forRange(50, 1_000_000, j -> calls.incrementAndGet(i * 50 + j)));
                return null;
            });
            for (int i = 0; i < calls.length(); i++) {
                assertEquals(1, calls.get(i), "index " + i);
            }
        }
    }

    @Test
    void anIterationsExceptionIsRethrownAsItWasAndTheTeamGoesOn() {
        try (Parallel.Team team = new Parallel.Team(3, "test-team")) {
            IllegalStateException thrown = new IllegalStateException("iteration 17");
            for (int round = 0; round < 20; round++) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.call(() -> {
                    Parallel.forRange(100, 1_000_000, i -> {
                        if (i == 17) {
                            throw thrown;
                        }
                    });
                    return null;
                }));
                assertSame(thrown, e);
                assertThrows(StackOverflowError.class, () -> team.call(() -> {
                    Parallel.forRange(100, 1_000_000, i -> {
                        if (i == 99) {
                            throw new StackOverflowError("test");
                        }
                    });
                    return null;
                }));
                // the team still runs every index of the next split
                team.call(() -> {
                    assertEachOnce(1000, 1_000_000);
                    return null;
                });
            }
        }
    }

    @Test
    void twoThreadsCallingOneTeamBothFinishCorrectly() throws Exception {
        try (Parallel.Team team = new Parallel.Team(2, "test-team")) {
            ExecutorService callers = Executors.newFixedThreadPool(3);
            try {
                CountDownLatch start = new CountDownLatch(1);
                Future<?>[] f = new Future<?>[3];
                for (int c = 0; c < f.length; c++) {
                    f[c] = callers.submit(() -> {
                        start.await();
                        for (int r = 0; r < 200; r++) {
                            team.call(() -> {
                                assertEachOnce(257, 1_000_000);
                                return null;
                            });
                        }
                        return null;
                    });
                }
                start.countDown();
                for (Future<?> x : f) {
                    x.get();
                }
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void parkedWorkersWakeForTheNextSplit() throws InterruptedException {
        try (Parallel.Team team = new Parallel.Team(2, "test-team")) {
            for (int round = 0; round < 5; round++) {
                Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 + 5); // past the spinning: the worker parks
                long before = team.workerItems();
                team.call(() -> {
                    Parallel.forRange(64, 1_000_000, i -> spin(200_000));
                    return null;
                });
                assertTrue(team.workerItems() > before, "round " + round + ": the parked worker never woke");
            }
        }
    }

    @Test
    void aClosedTeamRunsSplitsOnTheCallerAndCloseIsIdempotent() throws InterruptedException {
        Parallel.Team team = new Parallel.Team(3, "test-closed");
        team.close();
        team.close();
        team.call(() -> {
            assertEachOnce(500, 1_000_000);
            return null;
        });
        assertEquals(0, team.workerItems());
        for (int i = 0; i < 100 && liveThreads("test-closed-") > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, liveThreads("test-closed-"), "a closed team's workers ended");
        assertThrows(IllegalArgumentException.class, () -> new Parallel.Team(0, "none"));
    }

    private static long liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .count();
    }
}
