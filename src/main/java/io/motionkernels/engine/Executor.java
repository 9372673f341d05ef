package io.motionkernels.engine;

import io.motionkernels.engine.Graph.Kind;
import io.motionkernels.engine.Graph.Node;
import io.motionkernels.engine.Graph.Ref;
import io.motionkernels.engine.Graph.Value;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs graphs on one {@link Device}, the same way on every device: it uploads each convolution's
 * weights and each constant once, plans every graph's buffers into one arena ({@link Plan}), and
 * runs the node list on it, or, with {@link Options#replay}, captures the node list once and
 * replays it (a CUDA graph on the GPU; a recorded list of calls on the CPU, so that the capture
 * logic is exercised wherever the tests run). Owns the device, and closes it last.
 * Not thread-safe: callers serialise (one stream per model).
 */
public final class Executor implements AutoCloseable {
    /**
     * poison: fill every planned buffer with NaN when its lifetime starts and after its last use
     * (for tests: a lifetime or aliasing mistake then shows as NaN); replay: capture each plan's
     * node list, after one uncaptured run, and replay it; findNonFinite: after every node, read
     * back what it touched and stop at the first node that leaves a NaN or infinity (slow: for
     * finding which layer of a broken model or checkpoint diverges).
     */
    public record Options(boolean poison, boolean replay, boolean findNonFinite) {
        public static final Options DEFAULT = new Options(false, false, false);

        public Options(boolean poison, boolean replay) {
            this(poison, replay, false);
        }
    }

    /** A node of a graph produced a NaN or an infinity (with {@link Options#findNonFinite}). */
    public static final class NonFiniteException extends IllegalStateException {
        public NonFiniteException(String message) {
            super(message);
        }
    }

    private final Device device;
    private final Options options;
    private final Map<ConvSpec, Device.Conv> convs = new IdentityHashMap<>();
    private final Map<float[], Device.Buffer> constants = new IdentityHashMap<>();
    private final List<Plan> plans = new ArrayList<>();
    private final Map<Object, Plan> keyed = new LinkedHashMap<>();
    private boolean closed;

    /** Takes ownership of {@code device}. */
    public Executor(Device device, Options options) {
        this.device = device;
        this.options = options;
    }

    public Device device() {
        return device;
    }

    public Options options() {
        return options;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("executor closed");
        }
    }

    private Device.Conv conv(ConvSpec spec) {
        return convs.computeIfAbsent(spec, device::prepareConv);
    }

    private View constant(Value v) {
        Device.Buffer b = constants.get(v.constant);
        if (b == null) {
            b = device.allocate(v.floats);
            device.upload(v.constant, b.view());
            constants.put(v.constant, b);
        }
        return b.view();
    }

    /**
     * Plans {@code graph}: sizes its workspaces for this device, derives every buffer's lifetime
     * from the node list, places them in one arena and allocates it. Runs of the plan allocate
     * nothing (except a prepared source's kept buffers, which the caller owns).
     */
    public Plan plan(Graph graph) {
        ensureOpen();
        device.bindThread();
        Plan p = new Plan(graph);
        plans.add(p);
        return p;
    }

    /**
     * The plan made for {@code key} (a phase and its sizes, say), planning {@code graph}'s graph
     * the first time the key is asked for.
     */
    public Plan plan(Object key, java.util.function.Supplier<Graph> graph) {
        Plan p = keyed.get(key);
        if (p == null) {
            p = plan(graph.get());
            keyed.put(key, p);
        }
        return p;
    }

    /** The plans made through {@link #plan(Object, java.util.function.Supplier)}, by key, in the order made. */
    public Map<Object, Plan> keyedPlans() {
        return java.util.Collections.unmodifiableMap(keyed);
    }

    /** Drops every plan's captured replay of {@code replayKey}: the memory bound to it is going away. */
    public void forget(Object replayKey) {
        if (closed) {
            return; // closing freed the replays already
        }
        for (Plan p : plans) {
            p.forget(replayKey);
        }
    }

    /** One graph's memory plan on this executor's device, and its runs. */
    public final class Plan implements AutoCloseable {
        private final Graph graph;
        private final long[] sizes;
        private final int[] first;
        private final int[] last;
        private final MemoryPlanner.Plan layout;
        private final Device.Buffer arena;
        /** Per value id: its memory for the coming run (arena slice, constant, bound or kept buffer). */
        private final View[] base;
        /** Poison: values whose lifetime starts at node i, and those whose last use is node i. */
        private final List<List<Value>> startsAt = new ArrayList<>();
        private final List<List<Value>> endsAt = new ArrayList<>();
        private final Map<Object, Device.Replay> replays = new HashMap<>();
        private final Map<Object, Boolean> warm = new HashMap<>();
        private final List<Device.Buffer> kept = new ArrayList<>();
        private final Graph.Resolver resolver;
        private boolean closedPlan;

        private Plan(Graph graph) {
            this.graph = graph;
            int n = graph.values().size();
            List<Node> nodes = graph.nodes();
            sizes = new long[n];
            first = new int[n];
            last = new int[n];
            for (Value v : graph.values()) {
                sizes[v.id] = v.floats;
                first[v.id] = Integer.MAX_VALUE;
                last[v.id] = -1;
            }
            for (Node node : nodes) {
                if (node.op() instanceof Ops.Conv c && c.workspace() != null && c.workspace().value().floats < 0) {
                    Value ws = c.workspace().value();
                    sizes[ws.id] = Math.max(sizes[ws.id], device.convWorkspaceFloats(conv(c.spec()), c.n(), c.h(),
                            c.w(), c.up(), c.residual() != null, c.yChannels()));
                }
            }
            // Steps: 0 is the upload, node i is step i + 1, the download is nodes + 1.
            for (int i = 0; i < nodes.size(); i++) {
                for (Ref r : nodes.get(i).op().refs()) {
                    if (r != null) {
                        int id = r.value().id;
                        first[id] = Math.min(first[id], i + 1);
                        last[id] = Math.max(last[id], i + 1);
                    }
                }
            }
            int end = nodes.size() + 1;
            List<MemoryPlanner.Request> requests = new ArrayList<>();
            for (Value v : graph.values()) {
                int id = v.id;
                if (sizes[id] < 0) {
                    throw new IllegalStateException(graph.name() + ": workspace " + v.name + " is used by no convolution");
                }
                if (v.uploaded) {
                    first[id] = 0;
                }
                if (v.kind == Kind.OUTPUT) {
                    last[id] = end;
                }
                if (first[id] == Integer.MAX_VALUE) {
                    first[id] = 0; // never touched: placed anyway, harmlessly
                }
                last[id] = Math.max(last[id], first[id]);
                if (planned(v)) {
                    requests.add(new MemoryPlanner.Request(v.name, sizes[id] * Float.BYTES, first[id], last[id]));
                }
            }
            for (int i = 0; i <= nodes.size(); i++) {
                startsAt.add(new ArrayList<>());
                endsAt.add(new ArrayList<>());
            }
            for (Value v : graph.values()) {
                if (planned(v) && !v.uploaded) {
                    startsAt.get(first[v.id] - 1).add(v);
                }
                if (v.kind == Kind.TEMP && last[v.id] >= 1 && last[v.id] <= nodes.size()) {
                    endsAt.get(last[v.id] - 1).add(v);
                }
            }
            layout = MemoryPlanner.plan(requests);
            arena = device.allocate(Math.max(1, layout.arenaBytes() / Float.BYTES));
            base = new View[n];
            for (Value v : graph.values()) {
                if (planned(v)) {
                    base[v.id] = arena.view().slice(layout.offset(v.name) / Float.BYTES, sizes[v.id]);
                } else if (v.kind == Kind.CONST) {
                    base[v.id] = constant(v);
                }
            }
            resolver = new Graph.Resolver() {
                @Override
                public View view(Ref ref) {
                    View b = base[ref.value().id];
                    if (b == null) {
                        throw new IllegalStateException(graph.name() + ": " + ref.value().name + " is not bound");
                    }
                    return ref.floats() < 0 ? b : b.slice(ref.offset(), ref.floats());
                }

                @Override
                public Device.Conv conv(ConvSpec spec) {
                    return Executor.this.conv(spec);
                }
            };
        }

        private boolean planned(Value v) {
            return v.kind == Kind.INPUT || v.kind == Kind.TEMP || v.kind == Kind.OUTPUT;
        }

        public Graph graph() {
            return graph;
        }

        /** The arena layout (for reports and tests). */
        public MemoryPlanner.Plan layout() {
            return layout;
        }

        /** The planned size of a value in floats (a workspace's as the device chose it). */
        public long floats(String name) {
            return sizes[graph.value(name).id];
        }

        private void ensureOpenPlan() {
            ensureOpen();
            if (closedPlan) {
                throw new IllegalStateException("plan closed");
            }
        }

        /** Copies {@code host} into input {@code name} (all of it). */
        public void upload(String name, float[] host) {
            ensureOpenPlan();
            Value v = graph.value(name);
            if (!v.uploaded) {
                throw new IllegalArgumentException(name + " is not an input of " + graph.name());
            }
            if (host.length != sizes[v.id]) {
                throw new IllegalArgumentException(name + " takes " + sizes[v.id] + " floats, got " + host.length);
            }
            if (v.kind == Kind.KEEP) {
                Device.Buffer b = device.allocate(sizes[v.id]);
                kept.add(b);
                base[v.id] = b.view();
            }
            device.upload(host, base[v.id]);
        }

        /** Binds external value {@code name} to {@code view} for the coming runs. */
        public void bind(String name, View view) {
            ensureOpenPlan();
            Value v = graph.value(name);
            if (v.kind != Kind.EXTERNAL) {
                throw new IllegalArgumentException(name + " is not an external value of " + graph.name());
            }
            base[v.id] = view.require(name, sizes[v.id]).slice(0, sizes[v.id]);
        }

        /**
         * Runs the node list. With replay on and a non-null {@code replayKey} (what the bound
         * externals belong to), the second run for a key captures the work and later ones replay
         * it. Returns the kept values' buffers, which the caller now owns (empty for most graphs).
         */
        public Map<String, Device.Buffer> run(Object replayKey) {
            ensureOpenPlan();
            device.bindThread();
            Map<String, Device.Buffer> out = new LinkedHashMap<>();
            for (Value v : graph.values()) {
                if (v.kind == Kind.KEEP && !v.uploaded) {
                    Device.Buffer b = device.allocate(sizes[v.id]);
                    kept.add(b);
                    base[v.id] = b.view();
                }
            }
            boolean hasKept = !kept.isEmpty();
            if (options.replay() && replayKey != null && !hasKept && !NodeTimes.enabled()) {
                Device.Replay r = replays.get(replayKey);
                if (r == null && warm.containsKey(replayKey)) {
                    r = device.capture(this::execute);
                    replays.put(replayKey, r);
                }
                if (r != null) {
                    r.launch();
                } else {
                    execute();
                    warm.put(replayKey, Boolean.TRUE);
                }
            } else {
                execute();
            }
            for (Value v : graph.values()) {
                if (v.kind == Kind.KEEP) {
                    for (Device.Buffer b : kept) {
                        if (b.view().equals(base[v.id])) {
                            out.put(v.name, b);
                        }
                    }
                    base[v.id] = null;
                }
            }
            kept.clear();
            return out;
        }

        private void execute() {
            List<Node> nodes = graph.nodes();
            boolean poison = options.poison();
            for (int i = 0; i < nodes.size(); i++) {
                if (poison || options.findNonFinite()) {
                    // checking for non-finite values, a buffer starts at 0: reused memory may hold anything
                    for (Value v : startsAt.get(i)) {
                        device.fill(base[v.id], poison ? Float.NaN : 0f);
                    }
                }
                if (NodeTimes.enabled()) {
                    device.synchronize();
                    long b0 = NodeTimes.allocatedBytes();
                    long t0 = System.nanoTime();
                    nodes.get(i).op().run(device, resolver);
                    device.synchronize();
                    long t1 = System.nanoTime();
                    NodeTimes.add(graph.name(), nodes.get(i), t1 - t0, NodeTimes.allocatedBytes() - b0);
                } else {
                    nodes.get(i).op().run(device, resolver);
                }
                if (options.findNonFinite()) {
                    requireFinite(nodes.get(i));
                }
                if (poison) {
                    for (Value v : endsAt.get(i)) {
                        device.fill(base[v.id], Float.NaN);
                    }
                }
            }
        }

        /**
         * Every window the node touched is finite: its inputs were checked after the nodes that
         * wrote them, so a non-finite value here is this node's doing.
         */
        private void requireFinite(Node node) {
            for (Ref r : node.op().refs()) {
                if (r == null || r.value().floats < 0) {
                    continue; // absent, or a workspace (scratch whose contents mean nothing)
                }
                View v = resolver.view(r);
                float[] host = new float[Math.toIntExact(v.floats())];
                device.download(v, host);
                for (int i = 0; i < host.length; i++) {
                    if (!Float.isFinite(host[i])) {
                        throw new NonFiniteException("the first non-finite value appears in " + graph.name() + " at node "
                                + node.name() + " (" + r.value().name() + "[" + (r.offset() + i) + "] = " + host[i] + ")");
                    }
                }
            }
        }

        /** Copies output (or kept, or input) value {@code name} into {@code host}, waiting for the work. */
        public void download(String name, float[] host) {
            ensureOpenPlan();
            Value v = graph.value(name);
            if (v.kind != Kind.OUTPUT) {
                throw new IllegalArgumentException(name + " is not an output of " + graph.name());
            }
            device.download(base[v.id], host);
        }

        /** Drops the captured replay of {@code replayKey} (its bound memory is going away). */
        public void forget(Object replayKey) {
            Device.Replay r = replays.remove(replayKey);
            warm.remove(replayKey);
            if (r != null) {
                device.bindThread();
                r.close();
            }
        }

        @Override
        public void close() {
            if (closedPlan) {
                return;
            }
            closedPlan = true;
            replays.values().forEach(Device.Replay::close);
            replays.clear();
            kept.forEach(Device.Buffer::close);
            kept.clear();
            arena.close();
        }
    }

    /** Frees plans, constants and convolutions, then the device. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            device.bindThread();
            for (Plan p : plans) {
                p.close();
            }
            plans.clear();
            keyed.clear();
            constants.values().forEach(Device.Buffer::close);
            constants.clear();
            convs.values().forEach(Device.Conv::close);
            convs.clear();
        } finally {
            device.close();
        }
    }
}
