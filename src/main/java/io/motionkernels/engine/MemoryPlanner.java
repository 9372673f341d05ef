package io.motionkernels.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Places tensors with known lifetimes in one device arena, so that a forward pass allocates once
 * and buffers whose lifetimes do not overlap share memory. Pure Java.
 *
 * <p>Greedy by size (as TFLite's arena planner): the largest buffers are placed first, each at the
 * lowest aligned offset where it overlaps no already placed buffer that is alive at the same time.
 * Lifetimes are inclusive step ranges: a buffer written at step 3 and last read at step 7 is
 * [3, 7], and may share memory with one that lives [8, 9] but not with one that lives [7, 9].
 */
public final class MemoryPlanner {
    /** cuMemAlloc's own alignment; also what cuDNN and vectorised loads want. */
    public static final long DEFAULT_ALIGNMENT = 256;

    private MemoryPlanner() {
    }

    /** A tensor to place: its size in bytes and the inclusive range of steps in which it is alive. */
    public record Request(String name, long bytes, int firstStep, int lastStep) {
        public Request {
            if (bytes < 0 || firstStep < 0 || lastStep < firstStep) {
                throw new IllegalArgumentException("bad request " + name + ": " + bytes + " bytes, steps [" + firstStep
                        + ", " + lastStep + "]");
            }
        }

        public boolean overlapsInTime(Request o) {
            return firstStep <= o.lastStep && o.firstStep <= lastStep;
        }
    }

    /** Where a request went. */
    public record Placement(Request request, long offset, long alignedBytes) {
        public long end() {
            return offset + alignedBytes;
        }

        public boolean overlapsInMemory(Placement o) {
            return offset < o.end() && o.offset < end();
        }
    }

    /** The arena layout: offsets by name, the arena size and the lower bound it is compared with. */
    public record Plan(Map<String, Placement> placements, long arenaBytes, long peakLiveBytes, long totalBytes,
                       long alignment) {
        public long offset(String name) {
            Placement p = placements.get(name);
            if (p == null) {
                throw new IllegalArgumentException("no buffer named " + name + " in the plan");
            }
            return p.offset();
        }

        @Override
        public String toString() {
            return String.format("%d buffers: arena %.1f MiB, peak live %.1f MiB, %.1f MiB without reuse",
                    placements.size(), arenaBytes / 1048576.0, peakLiveBytes / 1048576.0, totalBytes / 1048576.0);
        }
    }

    public static Plan plan(List<Request> requests) {
        return plan(requests, DEFAULT_ALIGNMENT);
    }

    public static Plan plan(List<Request> requests, long alignment) {
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two, got " + alignment);
        }
        Map<String, Request> byName = new HashMap<>();
        for (Request r : requests) {
            if (byName.put(r.name(), r) != null) {
                throw new IllegalArgumentException("two buffers named " + r.name());
            }
        }
        List<Request> order = new ArrayList<>(requests);
        // Largest first; ties by earlier start, then name, so that the plan is deterministic.
        order.sort(Comparator.comparingLong(Request::bytes).reversed()
                .thenComparingInt(Request::firstStep).thenComparing(Request::name));
        List<Placement> placed = new ArrayList<>();
        long arena = 0;
        long total = 0;
        for (Request r : order) {
            long size = align(r.bytes(), alignment);
            total += size;
            // Memory ranges taken by buffers alive at the same time, sorted by offset.
            List<Placement> conflicts = new ArrayList<>();
            for (Placement p : placed) {
                if (p.request().overlapsInTime(r)) {
                    conflicts.add(p);
                }
            }
            conflicts.sort(Comparator.comparingLong(Placement::offset));
            long offset = 0;
            for (Placement p : conflicts) {
                if (offset + size <= p.offset()) {
                    break; // fits in the gap before p
                }
                offset = Math.max(offset, p.end());
            }
            Placement pl = new Placement(r, offset, size);
            placed.add(pl);
            arena = Math.max(arena, pl.end());
        }
        Map<String, Placement> result = new LinkedHashMap<>();
        for (Request r : requests) {
            for (Placement p : placed) {
                if (p.request() == r) {
                    result.put(r.name(), p);
                    break;
                }
            }
        }
        return new Plan(result, arena, peakLive(requests, alignment), total, alignment);
    }

    /** The most bytes alive at any one step: no arena can be smaller. */
    static long peakLive(List<Request> requests, long alignment) {
        int last = 0;
        for (Request r : requests) {
            last = Math.max(last, r.lastStep());
        }
        long[] delta = new long[last + 2];
        for (Request r : requests) {
            long size = align(r.bytes(), alignment);
            delta[r.firstStep()] += size;
            delta[r.lastStep() + 1] -= size;
        }
        long live = 0;
        long peak = 0;
        for (long d : delta) {
            live += d;
            peak = Math.max(peak, live);
        }
        return peak;
    }

    static long align(long bytes, long alignment) {
        if (bytes == 0) {
            return 0;
        }
        return (bytes + alignment - 1) / alignment * alignment;
    }
}
