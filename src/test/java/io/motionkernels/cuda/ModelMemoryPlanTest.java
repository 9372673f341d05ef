package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.cuda.MemoryPlanner.Plan;
import io.motionkernels.cuda.ModelMemoryPlan.DenseMotionDims;
import io.motionkernels.cuda.ModelMemoryPlan.GeneratorDims;
import io.motionkernels.cuda.ModelMemoryPlan.HourglassDims;
import io.motionkernels.cuda.ModelMemoryPlan.KpDetectorDims;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class ModelMemoryPlanTest {
    /** The seed's (nemo) detector: E 32, M 512, N 5, K 10, 64x64 RGB. */
    static final KpDetectorDims NEMO_KP = new KpDetectorDims(3, 10, new HourglassDims(32, 512, 5), 1);

    static GeneratorDims nemoGenerator() {
        DenseMotionDims dm = new DenseMotionDims(new HourglassDims(32, 512, 5), 1, 0, true, false, 1 + 2 + 3);
        return new GeneratorDims(3, 10, new HourglassDims(32, 512, 5), 4, dm, 10, 1);
    }

    static void assertValid(Plan p) {
        MemoryPlannerTest.assertValid(new ArrayList<>(p.placements().values().stream().map(MemoryPlanner.Placement::request).toList()), p);
    }

    @Test
    void hourglassChannelsFollowTheSpec() {
        HourglassDims hg = new HourglassDims(32, 512, 5);
        assertEquals(64, hg.channels(1));
        assertEquals(512, hg.channels(4));
        assertEquals(512, hg.channels(5));
        assertEquals(32, hg.channels(0));
    }

    @Test
    void keypointDetectorPlan() {
        Plan p = ModelMemoryPlan.kpDetector(NEMO_KP, 1, 1, 64, 64);
        assertValid(p);
        // The spec's channel chain: 3 -> 64 -> 128 -> 256 -> 512 -> 512, decoder cat 35 channels at 64x64.
        assertEquals(64L * 64 * 64 * 4, p.placements().get("kp.enc0.conv").request().bytes());
        assertEquals(512L * 2 * 2 * 4, p.placements().get("kp.enc4.pool").request().bytes());
        assertEquals(35L * 64 * 64 * 4, p.placements().get("kp.dec0.cat").request().bytes());
        assertEquals(10L * 64 * 64 * 4, p.placements().get("kp.out").request().bytes());
        assertEquals(10L * 4 * 4, p.placements().get("kp.var").request().bytes());
        // Reuse must pay off: the arena is well below the sum of all activations.
        assertTrue(p.arenaBytes() < p.totalBytes() / 2, p.toString());
    }

    @Test
    void memoryScalesWithFramesAndScaleFactorShrinksIt() {
        Plan one = ModelMemoryPlan.kpDetector(NEMO_KP, 1, 1, 64, 64);
        Plan eight = ModelMemoryPlan.kpDetector(NEMO_KP, 1, 8, 64, 64);
        assertValid(eight);
        assertTrue(eight.arenaBytes() >= 7 * one.arenaBytes(), one + " vs " + eight);
        KpDetectorDims quarter = new KpDetectorDims(3, 10, new HourglassDims(32, 512, 5), 0.25);
        Plan q = ModelMemoryPlan.kpDetector(quarter, 1, 1, 256, 256);
        assertValid(q);
        assertEquals(3L * 64 * 64 * 4, q.placements().get("image.scaled").request().bytes());
    }

    @Test
    void sizesThePoolingsCannotHandleAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelMemoryPlan.kpDetector(NEMO_KP, 1, 1, 65, 64));
        assertTrue(e.getMessage().contains("divisible by 2^5"), e.getMessage());
    }

    @Test
    void generatorPlan() {
        Plan p = ModelMemoryPlan.generator(nemoGenerator(), 1, 4, 64, 64);
        assertValid(p);
        // Dense-motion embedding: (K+1) slots of 6 features, 4 frames.
        assertEquals(11L * 6 * 4 * 64 * 64 * 4, p.placements().get("dm.embedding").request().bytes());
        assertEquals(4L * 64 * 64 * 3 * 4, p.placements().get("dm.deformation").request().bytes());
        // Refinement works on E + C + A = 32 + 3 + 10 channels.
        assertEquals(45L * 4 * 64 * 64 * 4, p.placements().get("ref0.out").request().bytes());
        assertEquals(3L * 4 * 64 * 64 * 4, p.placements().get("video_prediction").request().bytes());
        // The outputs survive to the end, so they never share memory with anything after them.
        MemoryPlanner.Placement pred = p.placements().get("video_prediction");
        MemoryPlanner.Placement deformed = p.placements().get("video_deformed");
        assertTrue(!pred.overlapsInMemory(deformed));
        assertTrue(p.arenaBytes() < p.totalBytes(), p.toString());
    }

    @Test
    void generatorWithoutDenseMotionOrEmbedding() {
        GeneratorDims g = new GeneratorDims(3, 10, new HourglassDims(32, 512, 5), 0, null, 0, 1);
        Plan p = ModelMemoryPlan.generator(g, 2, 1, 64, 64);
        assertValid(p);
        assertEquals(2L * 64 * 64 * 3 * 4, p.placements().get("identity.deformation").request().bytes());
        assertEquals(2L * 35 * 64 * 64 * 4, p.placements().get("gen.dec0.cat").request().bytes());
    }
}
