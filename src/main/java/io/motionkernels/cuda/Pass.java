package io.motionkernels.cuda;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * One execution of a piece of the GPU graph, in one of three modes, so that the same executor
 * code both derives its memory plan and runs on it:
 * <ul>
 *   <li>{@link #trace}: nothing runs. {@link #alloc} hands out tokens and every device call that
 *       takes a view is a step; a buffer lives from the step that allocates it to the last step
 *       that passes it (or a slice of it) to the device. {@link #finishTrace} places the buffers
 *       in one arena with {@link MemoryPlanner}.</li>
 *   <li>{@link #run}: {@link #alloc} returns the planned slice of the arena, the k-th call the
 *       k-th placement (its size is checked against the trace). With {@code poison}, a buffer is
 *       filled with NaN when its lifetime starts and again after its last step, so a lifetime or
 *       aliasing mistake corrupts the result instead of passing silently.</li>
 *   <li>{@link #eager}: every alloc is a fresh device buffer owned by the pass; {@link #keep}
 *       hands one to the caller. For once-per-source work (prepare), where no plan is reused.</li>
 * </ul>
 */
final class Pass implements AutoCloseable {
    private enum Mode { TRACE, RUN, EAGER }

    /** What a traced buffer is: its storage in trace mode. */
    private static final class Token {
        final int index;
        final int first;
        int last;

        Token(int index, int first) {
            this.index = index;
            this.first = first;
            this.last = first;
        }
    }

    /** A finished trace: sizes and lifetimes by allocation index, and where each goes in the arena. */
    record Layout(long[] floats, int[] lastStep, long[] offsetFloats, MemoryPlanner.Plan plan) {
        long arenaFloats() {
            return Math.max(1, plan.arenaBytes() / Float.BYTES);
        }
    }

    private final Mode mode;
    private final GpuDevice base;
    private final GpuDevice dev;
    private final boolean poison;
    private int step;
    private int allocs;
    // TRACE
    private final List<Token> tokens = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<Long> sizes = new ArrayList<>();
    // RUN
    private final Layout layout;
    private final GpuView arena;
    private final List<List<GpuView>> dyingAt = new ArrayList<>();
    // EAGER
    private final List<GpuDevice.Buffer> owned = new ArrayList<>();

    private Pass(Mode mode, GpuDevice base, Layout layout, GpuView arena, boolean poison) {
        this.mode = mode;
        this.base = base;
        this.layout = layout;
        this.arena = arena;
        this.poison = poison;
        this.dev = mode == Mode.EAGER ? base : counting(base);
    }

    static Pass trace(GpuDevice device) {
        return new Pass(Mode.TRACE, device, null, null, false);
    }

    static Pass run(GpuDevice device, Layout layout, GpuView arena, boolean poison) {
        arena.require("arena", layout.arenaFloats());
        return new Pass(Mode.RUN, device, layout, arena, poison);
    }

    static Pass eager(GpuDevice device) {
        return new Pass(Mode.EAGER, device, null, null, false);
    }

    /** The device to queue work on: in trace mode it records instead of running. */
    GpuDevice dev() {
        return dev;
    }

    GpuView alloc(String name, long floats) {
        int index = allocs++;
        switch (mode) {
            case TRACE -> {
                Token t = new Token(index, step);
                tokens.add(t);
                names.add(index + ":" + name);
                sizes.add(floats);
                return new GpuView(t, 0, floats);
            }
            case RUN -> {
                if (index >= layout.floats().length || layout.floats()[index] != floats) {
                    throw new IllegalStateException("pass does not match its trace at allocation " + index + " (" + name
                            + ", " + floats + " floats)");
                }
                GpuView v = arena.slice(layout.offsetFloats()[index], floats);
                if (poison) {
                    base.fill(v, Float.NaN);
                    int last = layout.lastStep()[index];
                    while (dyingAt.size() <= last) {
                        dyingAt.add(new ArrayList<>());
                    }
                    dyingAt.get(last).add(v);
                }
                return v;
            }
            default -> {
                GpuDevice.Buffer b = base.allocate(floats);
                owned.add(b);
                return b.view();
            }
        }
    }

    /** Eager mode: the caller takes ownership of the buffer behind {@code v}. */
    GpuDevice.Buffer keep(GpuView v) {
        for (int i = 0; i < owned.size(); i++) {
            if (owned.get(i).view().storage() == v.storage()) {
                return owned.remove(i);
            }
        }
        throw new IllegalArgumentException("not a buffer of this pass");
    }

    Layout finishTrace() {
        if (mode != Mode.TRACE) {
            throw new IllegalStateException("not a trace");
        }
        int n = tokens.size();
        long[] floats = new long[n];
        int[] last = new int[n];
        List<MemoryPlanner.Request> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Token t = tokens.get(i);
            floats[i] = sizes.get(i);
            last[i] = t.last;
            requests.add(new MemoryPlanner.Request(names.get(i), floats[i] * Float.BYTES, t.first, t.last));
        }
        MemoryPlanner.Plan plan = MemoryPlanner.plan(requests);
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = plan.placements().get(names.get(i)).offset() / Float.BYTES;
        }
        return new Layout(floats, last, offsets, plan);
    }

    /** Steps so far (device calls that took a view). */
    int steps() {
        return step;
    }

    /**
     * Run mode, replaying a captured graph instead of the calls it holds: continues the step count
     * after them. The graph itself repeats the poisoning its capture queued; the steps that follow
     * (downloads) must keep their traced numbers, or poison meant for later would hit live buffers.
     */
    void skipTo(int capturedSteps) {
        if (mode != Mode.RUN || capturedSteps < step) {
            throw new IllegalStateException("cannot skip from step " + step + " to " + capturedSteps);
        }
        step = capturedSteps;
    }

    private void afterStep() {
        int s = step++;
        if (mode == Mode.RUN && poison && s < dyingAt.size()) {
            for (GpuView v : dyingAt.get(s)) {
                base.fill(v, Float.NaN);
            }
        }
    }

    private void use(Object arg) {
        if (arg instanceof GpuView v && v.storage() instanceof Token t) {
            t.last = Math.max(t.last, step);
        }
    }

    /** A view of {@code base} that counts steps (and, tracing, records uses instead of running). */
    private GpuDevice counting(GpuDevice device) {
        InvocationHandler h = (proxy, m, args) -> {
            boolean isStep = takesView(m);
            if (mode == Mode.TRACE) {
                return traceCall(device, m, args, isStep);
            }
            Object r = invoke(device, m, args);
            if (isStep) {
                afterStep();
            }
            return r;
        };
        return (GpuDevice) Proxy.newProxyInstance(GpuDevice.class.getClassLoader(), new Class<?>[] {GpuDevice.class}, h);
    }

    private Object traceCall(GpuDevice device, Method m, Object[] args, boolean isStep) {
        switch (m.getName()) {
            case "convWorkspaceFloats" -> {
                return invoke(device, m, args); // a query: the real algorithm choice sizes the plan
            }
            case "capture" -> {
                ((Runnable) args[0]).run();
                return new GpuDevice.Graph() {
                    @Override
                    public void launch() {
                    }

                    @Override
                    public void close() {
                    }
                };
            }
            case "allocate", "prepareConv", "close" -> throw new IllegalStateException(m.getName() + " inside a traced pass");
            default -> {
                if (isStep) {
                    for (Object a : args) {
                        use(a);
                    }
                    step++;
                }
                return null;
            }
        }
    }

    private static boolean takesView(Method m) {
        for (Class<?> p : m.getParameterTypes()) {
            if (p == GpuView.class) {
                return true;
            }
        }
        return false;
    }

    private static Object invoke(GpuDevice device, Method m, Object[] args) throws RuntimeException {
        try {
            return m.invoke(device, args);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Eager mode: frees the buffers nobody kept. */
    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
