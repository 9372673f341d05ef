package io.motionkernels.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records the tensors of a forward pass as it would run, step by step, to derive their lifetimes
 * for the {@link MemoryPlanner}: a tensor lives from the step that creates it to the last step
 * that reads it; outputs live to the end.
 */
final class ActivationTrace {
    /** A traced tensor. */
    static final class Buf {
        final String name;
        final long floats;
        final int first;
        int last;
        boolean output;

        Buf(String name, long floats, int first) {
            this.name = name;
            this.floats = floats;
            this.first = first;
            this.last = first;
        }
    }

    private final Map<String, Buf> buffers = new LinkedHashMap<>();
    private int step;

    /** A new tensor written at the current step. */
    Buf alloc(String name, long floats) {
        if (floats < 0) {
            throw new IllegalArgumentException("negative size for " + name);
        }
        Buf b = new Buf(name, floats, step);
        if (buffers.putIfAbsent(name, b) != null) {
            throw new IllegalArgumentException("tensor " + name + " traced twice");
        }
        return b;
    }

    /** The given tensors are read at the current step. */
    void use(Buf... bs) {
        for (Buf b : bs) {
            b.last = Math.max(b.last, step);
        }
    }

    /** Marks model outputs: they must survive the whole pass. */
    void output(Buf... bs) {
        for (Buf b : bs) {
            b.output = true;
        }
    }

    /** Ends the current step (one kernel or library call). */
    void next() {
        step++;
    }

    int steps() {
        return step + 1;
    }

    List<MemoryPlanner.Request> requests() {
        List<MemoryPlanner.Request> out = new ArrayList<>();
        for (Buf b : buffers.values()) {
            out.add(new MemoryPlanner.Request(b.name, b.floats * Float.BYTES, b.first, b.output ? step : b.last));
        }
        return out;
    }
}
