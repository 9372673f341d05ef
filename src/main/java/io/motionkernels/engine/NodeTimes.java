package io.motionkernels.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Wall time per graph node, summed over runs, for finding where a frame's time goes (as ONNX
 * Runtime's session profiling does). Off unless switched on ({@link #enable}, or a JVM run with
 * {@code -Dmotionkernels.profile=true}): then every {@link Executor} synchronises its device around
 * each node and adds the node's time here, which serialises a GPU's stream and keeps a run from
 * being captured for replay, so a profiled run is slower than a plain one. One table for the JVM
 * because a profile is read by a tool outside the model (bench's NodeProfile), not by the
 * application.
 */
public final class NodeTimes {
    private static volatile boolean enabled = Boolean.getBoolean("motionkernels.profile");

    /**
     * One node of one graph: its op, summed nanoseconds, runs, and the bytes the allocation
     * counter (see {@link #countAllocations}) moved by while it ran (0 without a counter).
     */
    public record Entry(String graph, String node, Graph.Op op, long nanos, long runs, long bytes) {
    }

    private static volatile LongSupplier allocated;

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    private NodeTimes() {
    }

    /** {@return whether executors time their nodes} */
    public static boolean enabled() {
        return enabled;
    }

    /** Switches the timing of every executor's nodes on or off, from their next node on. */
    public static void enable(boolean on) {
        enabled = on;
    }

    /**
     * Also records, per node, how far {@code counter} moves while the node runs: a tool passes
     * the heap bytes allocated by every thread (com.sun.management.ThreadMXBean), so that a node
     * whose kernels allocate (a Vector API call C2 did not compile falls back to code that
     * allocates per lane operation) shows by name. Null stops counting. The library itself does
     * not depend on jdk.management.
     */
    public static void countAllocations(LongSupplier counter) {
        allocated = counter;
    }

    /** The counter's value now, or 0 without one. */
    static long allocatedBytes() {
        LongSupplier c = allocated;
        return c == null ? 0 : c.getAsLong();
    }

    static synchronized void add(String graph, Graph.Node node, long nanos, long bytes) {
        String key = graph + "/" + node.name();
        Entry e = ENTRIES.get(key);
        ENTRIES.put(key, e == null ? new Entry(graph, node.name(), node.op(), nanos, 1, bytes)
                : new Entry(graph, node.name(), node.op(), e.nanos() + nanos, e.runs() + 1, e.bytes() + bytes));
    }

    /** The nodes timed since the last {@link #reset}, in the order they first ran. */
    public static synchronized List<Entry> snapshot() {
        return new ArrayList<>(ENTRIES.values());
    }

    public static synchronized void reset() {
        ENTRIES.clear();
    }
}
