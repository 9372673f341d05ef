package io.motionkernels.engine;

import java.util.Objects;

/**
 * A window of {@code floats} float32 values in some device's memory: {@code storage} is whatever
 * the {@link Device} that made it uses for an allocation (a device pointer, a heap array, a
 * tracing token); {@code offset} counts floats from its start. Non-owning: valid while the
 * allocation is. {@code null} stands for an absent optional argument (a kernel's null pointer).
 */
public record View(Object storage, long offset, long floats) {
    public View {
        Objects.requireNonNull(storage, "storage");
        if (offset < 0 || floats < 0) {
            throw new IllegalArgumentException("bad view: offset " + offset + ", " + floats + " floats");
        }
    }

    /** The sub-window [from, from + length) in floats of this view. */
    public View slice(long from, long length) {
        if (from < 0 || length < 0 || from + length > floats) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + (from + length) + ") of a view of " + floats
                    + " floats");
        }
        return new View(storage, offset + from, length);
    }

    /** Throws unless this view holds at least {@code n} floats. */
    public View require(String what, long n) {
        if (floats < n) {
            throw new IllegalArgumentException(what + " needs " + n + " floats, the view has " + floats);
        }
        return this;
    }

    public static View require(View v, String what, long n) {
        return v == null ? null : v.require(what, n);
    }
}
