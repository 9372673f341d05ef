package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.cpu.Activation;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Tracing, planning and poisoned runs of {@link Pass} on the host device. */
class PassTest {
    private static final int N = 100;

    /** a = 1; b = a + a; c = b + b; out = c (+ a again when {@code lateRead}). */
    private static float[] body(Pass p, boolean lateRead) {
        GpuView a = p.alloc("a", N);
        p.dev().upload(filled(1f), a);
        GpuView b = p.alloc("b", N);
        p.dev().addAct(a, a, N, Activation.NONE, b);
        GpuView c = p.alloc("c", N);
        p.dev().addAct(b, b, N, Activation.NONE, c);
        GpuView d = p.alloc("d", N);
        p.dev().addAct(c, lateRead ? a : c, N, Activation.NONE, d);
        float[] out = new float[N];
        p.dev().download(d, out);
        return out;
    }

    private static float[] filled(float v) {
        float[] f = new float[N];
        java.util.Arrays.fill(f, v);
        return f;
    }

    private static Pass.Layout trace(HostDevice dev, Consumer<Pass> body) {
        Pass t = Pass.trace(dev);
        body.accept(t);
        return t.finishTrace();
    }

    @Test
    void planReusesDeadBuffersAndRunsCorrectly() {
        HostDevice dev = new HostDevice();
        Pass.Layout l = trace(dev, p -> body(p, false));
        // a dies at step 1 and b at step 2: four buffers of 400 bytes fit in two 512-byte slots.
        assertEquals(1024, l.plan().arenaBytes());
        assertTrue(l.plan().totalBytes() > l.plan().arenaBytes());
        GpuView arena = dev.allocate(l.arenaFloats()).view();
        float[] out = body(Pass.run(dev, l, arena, true), false);
        assertEquals(8f, out[0]);
        assertEquals(8f, out[N - 1]);
    }

    @Test
    void poisonShowsAReadOutsideThePlannedLifetime() {
        HostDevice dev = new HostDevice();
        Pass.Layout l = trace(dev, p -> body(p, false));
        GpuView arena = dev.allocate(l.arenaFloats()).view();
        // The run reads a after the last use the trace saw: its memory was poisoned and then reused
        // by c, so the result is c + c = 8 instead of c + a = 5.
        float[] out = body(Pass.run(dev, l, arena, true), true);
        assertEquals(8f, out[0]);
        // Without reuse it would read the poison itself.
        Pass.Layout alone = trace(dev, p -> {
            GpuView a = p.alloc("a", N);
            p.dev().upload(filled(1f), a);
            GpuView b = p.alloc("b", N);
            p.dev().addAct(a, a, N, Activation.NONE, b);
            p.dev().download(b, new float[N]);
        });
        Pass run = Pass.run(dev, alone, dev.allocate(alone.arenaFloats() + N).view(), true);
        GpuView a = run.alloc("a", N);
        run.dev().upload(filled(1f), a);
        GpuView b = run.alloc("b", N);
        run.dev().addAct(a, a, N, Activation.NONE, b);
        float[] late = new float[N];
        run.dev().download(a, late);
        assertTrue(Float.isNaN(late[0]), "expected NaN, got " + late[0]);
    }

    @Test
    void tracedReadsExtendLifetimes() {
        HostDevice dev = new HostDevice();
        Pass.Layout l = trace(dev, p -> body(p, true));
        GpuView arena = dev.allocate(l.arenaFloats()).view();
        assertEquals(5f, body(Pass.run(dev, l, arena, true), true)[7]);
    }

    @Test
    void aRunThatDiffersFromItsTraceIsRefused() {
        HostDevice dev = new HostDevice();
        Pass.Layout l = trace(dev, p -> body(p, false));
        Pass run = Pass.run(dev, l, dev.allocate(l.arenaFloats()).view(), false);
        assertThrows(IllegalStateException.class, () -> run.alloc("a", N + 1));
    }

    @Test
    void tracingRunsNothing() {
        HostDevice dev = new HostDevice();
        Pass t = Pass.trace(dev);
        GpuView a = t.alloc("a", N);
        t.dev().fill(a, 3f);
        t.dev().addAct(a, a, N, Activation.NONE, a);
        assertEquals(2, t.steps());
        assertEquals(0, dev.allocations());
    }
}
