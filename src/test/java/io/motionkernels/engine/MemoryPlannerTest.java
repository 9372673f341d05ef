package io.motionkernels.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.engine.MemoryPlanner.Placement;
import io.motionkernels.engine.MemoryPlanner.Plan;
import io.motionkernels.engine.MemoryPlanner.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {
    /** The invariants every plan must hold, whatever the heuristic. */
    static void assertValid(List<Request> requests, Plan plan) {
        assertEquals(requests.size(), plan.placements().size());
        List<Placement> ps = new ArrayList<>(plan.placements().values());
        for (Placement p : ps) {
            assertEquals(0, p.offset() % plan.alignment(), p.request().name() + " misaligned");
            assertTrue(p.alignedBytes() >= p.request().bytes());
            assertTrue(p.end() <= plan.arenaBytes(), p.request().name() + " outside the arena");
        }
        for (int i = 0; i < ps.size(); i++) {
            for (int j = i + 1; j < ps.size(); j++) {
                Placement a = ps.get(i), b = ps.get(j);
                if (a.request().overlapsInTime(b.request()) && a.alignedBytes() > 0 && b.alignedBytes() > 0) {
                    assertFalse(a.overlapsInMemory(b), a.request().name() + " and " + b.request().name()
                            + " are alive together but share memory");
                }
            }
        }
        assertTrue(plan.arenaBytes() >= plan.peakLiveBytes(), "arena below the live peak: impossible");
        assertTrue(plan.arenaBytes() <= plan.totalBytes());
    }

    @Test
    void disjointLifetimesShareMemory() {
        List<Request> rs = List.of(new Request("a", 1000, 0, 1), new Request("b", 1000, 2, 3), new Request("c", 1000, 4, 5));
        Plan p = MemoryPlanner.plan(rs);
        assertValid(rs, p);
        assertEquals(1024, p.arenaBytes());
        assertEquals(0, p.offset("a"));
        assertEquals(0, p.offset("c"));
    }

    @Test
    void lifetimesTouchingAtAStepConflict() {
        // b is written at the step where a is last read: they must not share memory.
        List<Request> rs = List.of(new Request("a", 512, 0, 2), new Request("b", 512, 2, 3));
        Plan p = MemoryPlanner.plan(rs);
        assertValid(rs, p);
        assertEquals(1024, p.arenaBytes());
    }

    @Test
    void aChainOfLayersNeedsOnlyTwoBuffers() {
        // x0 -> x1 -> x2 ...: each buffer is read by the next step only.
        List<Request> rs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rs.add(new Request("x" + i, 4096, i, i + 1));
        }
        Plan p = MemoryPlanner.plan(rs);
        assertValid(rs, p);
        assertEquals(2 * 4096, p.arenaBytes());
        assertEquals(2 * 4096, p.peakLiveBytes());
    }

    @Test
    void alignmentAndZeroSizes() {
        List<Request> rs = List.of(new Request("a", 1, 0, 0), new Request("b", 1, 0, 0), new Request("empty", 0, 0, 0));
        Plan p = MemoryPlanner.plan(rs, 256);
        assertValid(rs, p);
        assertEquals(512, p.arenaBytes());
        Plan q = MemoryPlanner.plan(rs, 16);
        assertEquals(32, q.arenaBytes());
        assertThrows(IllegalArgumentException.class, () -> MemoryPlanner.plan(rs, 24));
        assertThrows(IllegalArgumentException.class, () -> new Request("bad", 1, 3, 2));
        assertThrows(IllegalArgumentException.class,
                () -> MemoryPlanner.plan(List.of(new Request("a", 1, 0, 0), new Request("a", 1, 1, 1))));
        assertThrows(IllegalArgumentException.class, () -> p.offset("nope"));
    }

    @Test
    void aGapBetweenLiveBuffersIsReused() {
        // big1 and big2 are alive throughout with a hole between them once "mid" dies; "late" fits that hole.
        List<Request> rs = List.of(
                new Request("big1", 1 << 20, 0, 10),
                new Request("mid", 1 << 19, 0, 3),
                new Request("big2", 1 << 20, 0, 10),
                new Request("late", 1 << 18, 5, 9));
        Plan p = MemoryPlanner.plan(rs);
        assertValid(rs, p);
        assertEquals((2L << 20) + (1 << 19), p.arenaBytes());
    }

    @Test
    void randomProblemsAlwaysGiveValidPlans() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            List<Request> rs = new ArrayList<>();
            int n = 1 + rnd.nextInt(40);
            for (int i = 0; i < n; i++) {
                int first = rnd.nextInt(30);
                rs.add(new Request("t" + i, rnd.nextInt(100_000), first, first + rnd.nextInt(8)));
            }
            Plan p = MemoryPlanner.plan(rs);
            assertValid(rs, p);
            assertEquals(p, MemoryPlanner.plan(rs), "plans must be deterministic");
        }
    }
}
