package io.motionkernels.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model phase as data: buffers ({@link Value}s) and the ordered list of operations
 * ({@link Node}s) that read and write them. Built once per model family by a graph builder (for
 * Monkey-Net, {@code model.MonkeyNetGraph}) from the configuration, the prepared weights and the
 * input sizes; planned and run by {@link Executor} on any {@link Device}. Immutable once built.
 */
public final class Graph {
    /** How a value gets its memory. */
    public enum Kind {
        /** Written by the caller before a run (uploaded); planned in the arena. */
        INPUT,
        /** Produced and consumed inside the run; planned in the arena, memory reused after its last use. */
        TEMP,
        /** Read by the caller after a run (downloaded); planned in the arena, alive to the end. */
        OUTPUT,
        /** Produced by the run into memory of its own that the caller keeps (a prepared source's features). */
        KEEP,
        /** Memory bound by the caller for each run (a prepared source's features, read-only here). */
        EXTERNAL,
        /** Host data uploaded once per executor (weights that are not convolutions'). */
        CONST
    }

    /** A float32 buffer of the graph. {@code floats} is -1 for a workspace the device sizes. */
    public static final class Value {
        final int id;
        final String name;
        final long floats;
        final float[] constant;
        /** Written by the caller before a run; stays true when an input is made an output or kept. */
        final boolean uploaded;
        Kind kind;

        private Value(int id, String name, long floats, Kind kind, float[] constant) {
            this.id = id;
            this.name = name;
            this.floats = floats;
            this.kind = kind;
            this.constant = constant;
            this.uploaded = kind == Kind.INPUT;
        }

        /** Whether the caller uploads this value before a run. */
        public boolean uploaded() {
            return uploaded;
        }

        public String name() {
            return name;
        }

        public long floats() {
            return floats;
        }

        public Kind kind() {
            return kind;
        }

        /** The whole value. */
        public Ref all() {
            return new Ref(this, 0, floats);
        }

        /** Floats [from, from + length) of the value. */
        public Ref slice(long from, long length) {
            if (from < 0 || length < 0 || from + length > floats) {
                throw new IndexOutOfBoundsException("slice [" + from + ", " + (from + length) + ") of " + name + " ("
                        + floats + " floats)");
            }
            return new Ref(this, from, length);
        }

        @Override
        public String toString() {
            return name + "[" + floats + "]";
        }
    }

    /** A window of a value, as an operation sees it. */
    public record Ref(Value value, long offset, long floats) {
    }

    /** One operation of the graph, named for reports (the value it produces). */
    public record Node(String name, Op op) {
    }

    /** An operation: what it touches (for lifetimes) and how it runs on a device. */
    public interface Op {
        /** Every window the operation reads or writes ({@code null} entries, for absent optional buffers, are skipped). */
        List<Ref> refs();

        void run(Device device, Resolver r);
    }

    /** Turns a graph's references into device memory during a run. */
    public interface Resolver {
        View view(Ref ref);

        Device.Conv conv(ConvSpec spec);
    }

    private final String name;
    private final List<Value> values;
    private final List<Node> nodes;
    private final Map<String, Value> byName;

    private Graph(String name, List<Value> values, List<Node> nodes) {
        this.name = name;
        this.values = Collections.unmodifiableList(values);
        this.nodes = Collections.unmodifiableList(nodes);
        Map<String, Value> m = new LinkedHashMap<>();
        for (Value v : values) {
            if (m.put(v.name, v) != null) {
                throw new IllegalStateException("graph " + name + ": two values named " + v.name);
            }
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    public String name() {
        return name;
    }

    public List<Value> values() {
        return values;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The value called {@code name}; throws when there is none. */
    public Value value(String name) {
        Value v = byName.get(name);
        if (v == null) {
            throw new IllegalArgumentException("graph " + this.name + " has no value '" + name + "'");
        }
        return v;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The values of one kind, in creation order. */
    public List<Value> values(Kind kind) {
        List<Value> out = new ArrayList<>();
        for (Value v : values) {
            if (v.kind == kind) {
                out.add(v);
            }
        }
        return out;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects values and nodes in execution order. */
    public static final class Builder {
        private final String name;
        private final List<Value> values = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();
        private boolean built;

        private Builder(String name) {
            this.name = name;
        }

        private Value add(String valueName, long floats, Kind kind, float[] constant) {
            if (built) {
                throw new IllegalStateException("graph already built");
            }
            if (floats < 0 && floats != -1) {
                throw new IllegalArgumentException(valueName + ": negative size " + floats);
            }
            Value v = new Value(values.size(), valueName, floats, kind, constant);
            values.add(v);
            return v;
        }

        public Value temp(String valueName, long floats) {
            return add(valueName, floats, Kind.TEMP, null);
        }

        /** A scratch buffer whose size the device decides when the graph is planned. */
        public Value workspace(String valueName) {
            return add(valueName, -1, Kind.TEMP, null);
        }

        public Value input(String valueName, long floats) {
            return add(valueName, floats, Kind.INPUT, null);
        }

        public Value external(String valueName, long floats) {
            return add(valueName, floats, Kind.EXTERNAL, null);
        }

        public Value constant(String valueName, float[] data) {
            return add(valueName, data.length, Kind.CONST, data);
        }

        /** Makes a value of the graph (produced by it, or an input) an output, downloaded after a run. */
        public Value output(Value v) {
            return mark(v, Kind.OUTPUT);
        }

        /** Makes a value of the graph (produced by it, or an input) one the caller keeps, in memory of its own. */
        public Value keep(Value v) {
            return mark(v, Kind.KEEP);
        }

        private Value mark(Value v, Kind kind) {
            if (v.kind == Kind.EXTERNAL || v.kind == Kind.CONST) {
                throw new IllegalArgumentException(v.name + " is " + v.kind + ", not produced by the graph");
            }
            v.kind = kind;
            return v;
        }

        public void node(String nodeName, Op op) {
            if (built) {
                throw new IllegalStateException("graph already built");
            }
            nodes.add(new Node(nodeName, op));
        }

        public Graph build() {
            built = true;
            return new Graph(name, values, nodes);
        }
    }
}
