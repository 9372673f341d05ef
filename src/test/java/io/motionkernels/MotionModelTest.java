package io.motionkernels;

import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.conformance.OpCases;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Frames;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedding API: prepare once, stream or batch, share between threads. */
class MotionModelTest {
    static final Path GOLDEN = TestFiles.golden();

    private static MotionModel shapes() {
        return MotionModel.create(ModelConfig.published("shapes"), Weights.prng(7), Backend.CPU);
    }

    @Test
    void relativeTransferThroughTheApiMatchesTheReference() {
        Safetensors.Contents c = Safetensors.read(GOLDEN.resolve("shapes/transfer.safetensors"));
        try (MotionModel model = shapes(); PreparedSource source = model.prepare(c.require("source"))) {
            Tensor out = source.animate(ModelConfig.Normalization.RELATIVE).next(c.require("driving"));
            double err = OpCases.relativeL2(out, c.require("video_prediction"));
            assertTrue(err <= 1e-4, "relative L2 " + err);
        }
    }

    @Test
    void streamingOneFrameAtATimeEqualsOneBatch() {
        Safetensors.Contents c = Safetensors.read(GOLDEN.resolve("shapes/transfer.safetensors"));
        Tensor driving = c.require("driving");
        try (MotionModel model = shapes(); PreparedSource source = model.prepare(c.require("source"))) {
            Tensor batch = source.animate(ModelConfig.Normalization.RELATIVE).next(driving);
            Animation streaming = source.animate(ModelConfig.Normalization.RELATIVE);
            for (int f = 0; f < driving.dim(2); f++) {
                Tensor one = streaming.next(Frames.slice(driving, f, 1));
                assertArrayEquals(Frames.slice(batch, f, 1).data(), one.data(), 1e-6f, "frame " + f);
            }
        }
    }

    @Test
    void concurrentAnimationsOfOneModelGiveTheSequentialResults() throws Exception {
        Safetensors.Contents c = Safetensors.read(GOLDEN.resolve("shapes/transfer.safetensors"));
        Tensor driving = c.require("driving");
        try (MotionModel model = shapes(); PreparedSource source = model.prepare(c.require("source"))) {
            Tensor expected = source.animate(ModelConfig.Normalization.ABSOLUTE).next(driving);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Tensor>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    results.add(pool.submit(() -> source.animate(ModelConfig.Normalization.ABSOLUTE).next(driving)));
                }
                for (Future<Tensor> f : results) {
                    assertArrayEquals(expected.data(), f.get().data(), 1e-6f);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void badShapesAndClosedModelsGiveClearErrors() {
        MotionModel model = shapes();
        MotionKernelsException e = assertThrows(MotionKernelsException.class,
                () -> model.prepare(Tensor.zeros(1, 3, 1, 48, 48)));
        assertTrue(e.getMessage().contains("48x48") && e.getMessage().contains("64x64"), e.getMessage());
        assertThrows(MotionKernelsException.class, () -> model.prepare(Tensor.zeros(1, 1, 1, 64, 64)));
        assertThrows(MotionKernelsException.class, () -> model.prepare(Tensor.zeros(1, 3, 2, 64, 64)));
        model.close();
        model.close();
        assertThrows(IllegalStateException.class, () -> model.prepare(Tensor.zeros(1, 3, 1, 64, 64)));
        assertEquals(Backend.CPU, model.backend());
    }

    @Test
    void aModelWithThreadsOfItsOwnGivesTheSameFrames() {
        Safetensors.Contents c = Safetensors.read(GOLDEN.resolve("shapes/transfer.safetensors"));
        Tensor expected;
        try (MotionModel model = shapes(); PreparedSource source = model.prepare(c.require("source"))) {
            expected = source.animate(ModelConfig.Normalization.RELATIVE).next(c.require("driving"));
        }
        MotionModel.Options one = MotionModel.Options.defaults().withBackend(Backend.CPU).withThreads(1);
        try (MotionModel model = MotionModel.create(ModelConfig.published("shapes"), Weights.prng(7), one);
             PreparedSource source = model.prepare(c.require("source"))) {
            Tensor out = source.animate(ModelConfig.Normalization.RELATIVE).next(c.require("driving"));
            assertTrue(OpCases.relativeL2(out, expected) <= 1e-6, "relative L2 " + OpCases.relativeL2(out, expected));
        }
        assertThrows(MotionKernelsException.class, () -> MotionModel.Options.defaults().withThreads(-1));
    }
}
