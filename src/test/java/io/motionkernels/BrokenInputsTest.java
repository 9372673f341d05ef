package io.motionkernels;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Finite;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13 classes 5 and 7 at the API: broken numbers and mismatched driving frames are refused at entry. */
class BrokenInputsTest {
    private static MotionModel shapes() {
        return MotionModel.create(ModelConfig.published("shapes"), Weights.prng(7), Backend.CPU);
    }

    private static Tensor frames(int batch, int d, int size) {
        Tensor t = Tensor.zeros(batch, 3, d, size, size);
        java.util.Arrays.fill(t.data(), 0.5f);
        return t;
    }

    private static void assertMessage(Throwable e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
    }

    @Test
    void aNanPixelIsRefusedWhereItEnters() {
        try (MotionModel model = shapes()) {
            Tensor src = frames(1, 1, 64);
            src.data()[5] = Float.NaN;
            assertMessage(assertThrows(MotionKernelsException.class, () -> model.prepare(src)), "source image",
                    "NaN", "pixel (5, 0)");
            try (PreparedSource source = model.prepare(frames(1, 1, 64))) {
                Tensor drv = frames(1, 2, 64);
                drv.data()[64 * 64 + 64 + 3] = Float.POSITIVE_INFINITY;
                assertMessage(assertThrows(MotionKernelsException.class,
                        () -> source.animate(ModelConfig.Normalization.ABSOLUTE).next(drv)),
                        "driving frames", "Infinity", "frame 1, channel 0, pixel (3, 1)");
            }
        }
    }

    @Test
    void drivingFramesMustBeOneVideoOfTheSourceSize() {
        try (MotionModel model = shapes(); PreparedSource source = model.prepare(frames(1, 1, 64))) {
            Animation a = source.animate(ModelConfig.Normalization.ABSOLUTE);
            assertMessage(assertThrows(MotionKernelsException.class, () -> a.next(frames(2, 1, 64))),
                    "one video per source image (1,", "[2, 3, 1, 64, 64]");
            assertMessage(assertThrows(MotionKernelsException.class, () -> a.next(frames(1, 1, 128))),
                    "128x128", "source is 64x64");
            a.next(frames(1, 1, 64)); // and the animation still works
        }
    }

    @Test
    void closingThePreparedSourceEndsItsAnimations() {
        try (MotionModel model = shapes()) {
            PreparedSource source = model.prepare(frames(1, 1, 64));
            Animation a = source.animate(ModelConfig.Normalization.ABSOLUTE);
            a.next(frames(1, 1, 64));
            source.close();
            assertThrows(IllegalStateException.class, () -> a.next(frames(1, 1, 64)));
            source.close(); // idempotent
        }
    }

    @Test
    void aNonFiniteResultIsRefused() {
        Tensor t = frames(1, 3, 4);
        Finite.requireResult(t);
        t.data()[t.data().length - 1] = Float.NaN;
        assertMessage(assertThrows(MotionKernelsException.class, () -> Finite.requireResult(t)),
                "the model produced NaN", "frame 2, channel 2, pixel (3, 3)", "nothing was written");
    }
}
