package io.motionkernels;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.model.FommConfig;
import io.motionkernels.cpu.Parallel;
import io.motionkernels.model.FommTestModels;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FommModel honours MotionModel.Options#threads as MotionModel does: the work runs on the model's own team. */
class FommModelThreadsTest {
    private static final int SIZE = 64;

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = r.nextFloat();
        }
        return t;
    }

    private static long fommThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("motion-kernels-fomm-")).count();
    }

    private static Tensor run(MotionModel.Options options) {
        Random r = new Random(3);
        Tensor source = random(r, 1, 3, SIZE, SIZE);
        Tensor video = random(r, 1, 3, 2, SIZE, SIZE);
        try (FommModel model = FommModel.create(FommTestModels.small(), Weights.prng(4), options)) {
            return model.transfer(source, new FommConfig.Normalization(true, true, true)).next(video);
        }
    }

    @Test
    void aModelWithThreadsOfItsOwnRunsOnThemAndGivesTheSameFrames() {
        MotionModel.Options cpu = MotionModel.Options.defaults().withBackend(Backend.CPU);
        Parallel.Team shared0 = Parallel.defaultTeam();
        long before = shared0.workerItems();
        Tensor shared = run(cpu);
        if (Runtime.getRuntime().availableProcessors() > 1) {
            // the probe below works: a model on the default team shows in its workers' count
            assertTrue(shared0.workerItems() > before, "the default team's workers ran nothing");
        }

        // One thread: every Parallel split runs serially on the calling thread, so the default
        // team's workers run nothing (on a machine of two or more cores they would, if the option
        // were ignored).
        long items = shared0.workerItems();
        Tensor one;
        Random r = new Random(3);
        Tensor source = random(r, 1, 3, SIZE, SIZE);
        Tensor video = random(r, 1, 3, 2, SIZE, SIZE);
        try (FommModel model = FommModel.create(FommTestModels.small(), Weights.prng(4), cpu.withThreads(1))) {
            FommModel.Transfer t = model.transfer(source, new FommConfig.Normalization(true, true, true));
            one = t.next(video);
        }
        assertEquals(items, shared0.workerItems(), "a one-thread model used the default team");
        try (FommModel model = FommModel.create(FommTestModels.small(), Weights.prng(4), cpu.withThreads(3))) {
            assertTrue(fommThreads() >= 2, "a model of three threads has two workers of its own");
        }
        assertTrue(Comparison.relativeL2(one, shared) <= 1e-6, "relative L2 " + Comparison.relativeL2(one, shared));

        Tensor three = run(cpu.withThreads(3));
        assertTrue(Comparison.relativeL2(three, shared) <= 1e-6, "relative L2 " + Comparison.relativeL2(three, shared));
    }

    @Test
    void anEngineErrorOnTheModelsThreadsIsRethrownAsItWas() {
        try (FommModel model = FommModel.create(FommTestModels.small(), Weights.prng(4),
                MotionModel.Options.defaults().withBackend(Backend.CPU).withThreads(2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.detect(Tensor.zeros(1, 2, SIZE, SIZE)));
            assertTrue(e.getMessage().startsWith("images must be"), e.getMessage());
        }
    }
}
