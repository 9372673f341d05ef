package io.motionkernels.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH secondary metrics: with {@code Type.OPERATIONS} JMH divides each counter by the measured
 * time, exactly like the primary ops/s score, so in throughput mode {@code bytes} is achieved
 * bytes/s, {@code flops} FLOP/s and {@code exps} exp calls/s. Each kernel benchmark adds its declared {@link Work} once per
 * operation.
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class Counters {
    public long bytes;
    public long flops;
    public long exps;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
        flops = 0;
        exps = 0;
    }

    void add(Work w) {
        bytes += w.bytes();
        flops += w.flops();
        exps += w.exps();
    }
}
