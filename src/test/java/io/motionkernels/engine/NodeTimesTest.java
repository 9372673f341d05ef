package io.motionkernels.engine;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node profile: every node of every graph a call runs, counted once per run, and nothing when off. */
class NodeTimesTest {
    private static Tensor frames(int seed, int d) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(1, 3, d, 64, 64);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = r.nextFloat();
        }
        return t;
    }

    @Test
    void aProfiledRunTimesEveryNodeOncePerRunAndGivesThePlainResult() {
        try (MotionModel m = MotionModel.create(ModelConfig.published("shapes"), Weights.prng(7), Backend.CPU);
             PreparedSource p = m.prepare(frames(1, 1))) {
            Animation a = p.animate(ModelConfig.Normalization.ABSOLUTE);
            Tensor plain = a.next(frames(2, 2));
            // a counter that moves by 10 per read: each node reads it twice, so its bytes are 10 per run
            java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong();
            try {
                NodeTimes.countAllocations(() -> counter.addAndGet(10));
                NodeTimes.enable(true);
                NodeTimes.reset();
                Tensor profiled = null;
                for (int r = 0; r < 3; r++) {
                    profiled = a.next(frames(2, 2));
                }
                List<NodeTimes.Entry> entries = NodeTimes.snapshot();
                NodeTimes.enable(false);
                assertArrayEquals(plain.data(), profiled.data(), "a profiled run computes what a plain one does");
                assertTrue(entries.stream().anyMatch(e -> e.op() instanceof Ops.Conv), "no convolution was timed");
                assertTrue(entries.stream().anyMatch(e -> e.op() instanceof Ops.GridSampleDepth1), "no grid_sample was timed");
                long graphs = entries.stream().map(NodeTimes.Entry::graph).distinct().count();
                assertTrue(graphs >= 2, "the detector and the generator are both timed, got " + graphs + " graphs");
                for (NodeTimes.Entry e : entries) {
                    assertEquals(3, e.runs(), e.graph() + "/" + e.node());
                    assertTrue(e.nanos() > 0, e.graph() + "/" + e.node());
                    assertEquals(30, e.bytes(), e.graph() + "/" + e.node());
                }
                a.next(frames(2, 2));
                assertEquals(entries, NodeTimes.snapshot(), "switched off, nothing more is timed");
            } finally {
                NodeTimes.countAllocations(null);
                NodeTimes.enable(false);
                NodeTimes.reset();
            }
        }
    }
}
