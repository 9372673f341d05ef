package io.motionkernels.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Frames animated, divided by JMH by the measured time like {@link Counters}: frames per second. */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class FrameCounter {
    public long frames;

    @Setup(Level.Iteration)
    public void reset() {
        frames = 0;
    }
}
