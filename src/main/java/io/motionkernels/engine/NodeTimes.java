package io.motionkernels.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** One node of one graph: its op, summed nanoseconds and runs. */
    public record Entry(String graph, String node, Graph.Op op, long nanos, long runs) {
    }

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

    static synchronized void add(String graph, Graph.Node node, long nanos) {
        String key = graph + "/" + node.name();
        Entry e = ENTRIES.get(key);
        ENTRIES.put(key, e == null ? new Entry(graph, node.name(), node.op(), nanos, 1)
                : new Entry(graph, node.name(), node.op(), e.nanos() + nanos, e.runs() + 1));
    }

    /** The nodes timed since the last {@link #reset}, in the order they first ran. */
    public static synchronized List<Entry> snapshot() {
        return new ArrayList<>(ENTRIES.values());
    }

    public static synchronized void reset() {
        ENTRIES.clear();
    }
}
