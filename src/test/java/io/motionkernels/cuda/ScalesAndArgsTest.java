package io.motionkernels.cuda;

import io.motionkernels.engine.Scales;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScalesAndArgsTest {
    @Test
    void nearestBySizePicksFloorOfDstTimesInOverOut() {
        // in 5 -> out 3: floor(dst * 5/3) = 0, 1, 3
        float s = Scales.nearest(5, 3, null);
        assertEquals(0, Scales.nearestSource(0, s, 5));
        assertEquals(1, Scales.nearestSource(1, s, 5));
        assertEquals(3, Scales.nearestSource(2, s, 5));
        // PyTorch computes floor(dst * (float) (in / out)) in float, not the exact floor(dst * in / out):
        // where dst * in / out is a whole number the float product can land just below it.
        // 2 -> 82, dst 41: 41 * 0.024390243f = 0.99999994f, so PyTorch (and the kernel) take pixel 0.
        assertEquals(0, Scales.nearestSource(41, Scales.nearest(2, 82, null), 2));
        int differ = 0;
        for (int in = 1; in < 40; in++) {
            for (int out = 1; out < 90; out++) {
                float sc = Scales.nearest(in, out, null);
                for (int dst = 0; dst < out; dst++) {
                    int exact = Math.min((int) ((long) dst * in / out), in - 1);
                    int got = Scales.nearestSource(dst, sc, in);
                    if (got != exact) {
                        differ++;
                        assertEquals(exact - 1, got, in + "->" + out + " dst " + dst);
                        assertEquals(0, (long) dst * in % out, "float rounding off a whole-number boundary");
                    }
                }
            }
        }
        assertTrue(differ > 0 && differ < 200, differ + " indices differ from exact arithmetic");
        // Powers of two (the model's sizes) are exact.
        for (int in = 1; in <= 256; in *= 2) {
            for (int out = 1; out <= 256; out *= 2) {
                float sc = Scales.nearest(in, out, null);
                for (int dst = 0; dst < out; dst++) {
                    assertEquals(Math.min((int) ((long) dst * in / out), in - 1), Scales.nearestSource(dst, sc, in));
                }
            }
        }
    }

    @Test
    void nearestByFactorUsesOneOverTheFactor() {
        assertEquals(16, Scales.outputSize(64, 0.25));
        assertEquals(4f, Scales.nearest(64, 16, 0.25));
        assertEquals(7, Scales.outputSize(15, 0.5)); // floor
        assertEquals(2f, Scales.nearest(15, 7, 0.5));
        assertEquals(1f, Scales.nearest(5, 5, 1.1)); // ATen's identity shortcut when the size is unchanged
        assertEquals(0.5f, Scales.nearest(5, 10, 2.0));
        assertEquals((float) (1 / 3.0), Scales.nearest(2, 6, 3.0));
        assertThrows(IllegalArgumentException.class, () -> Scales.outputSize(4, 0));
    }

    @Test
    void linearScales() {
        assertEquals(0.5f, Scales.linear(4, 8, null));
        assertEquals((float) (1 / 3.0), Scales.linear(2, 6, 3.0));
    }

    @Test
    void kernelArgumentsAreCheckedAgainstTheSignature() {
        DeviceView p = DeviceView.NULL;
        assertDoesNotThrow(() -> KernelArgs.validate(Kernel.ADD_ACT, p, p, p, 10L, 0));
        // an int where the kernel reads a long long
        assertThrows(IllegalArgumentException.class, () -> KernelArgs.validate(Kernel.ADD_ACT, p, p, p, 10, 0));
        // a missing argument
        assertThrows(IllegalArgumentException.class, () -> KernelArgs.validate(Kernel.ADD_ACT, p, p, p, 10L));
        // a double where a float is read
        assertThrows(IllegalArgumentException.class,
                () -> KernelArgs.validate(Kernel.SOFTMAX_PIXELS, p, p, 1, 4, 0.1));
        assertThrows(IllegalArgumentException.class, () -> KernelArgs.validate(Kernel.ADD_ACT, null, p, p, 10L, 0));
        assertThrows(IllegalArgumentException.class, () -> KernelArgs.checkedInt("rows", 1L << 31));
        assertEquals(7, KernelArgs.checkedInt("rows", 7));
    }

    @Test
    void viewsCheckTheirBounds() {
        assertThrows(IndexOutOfBoundsException.class, () -> DeviceView.NULL.slice(0, 1));
        DeviceView v = new DeviceView(new jcuda.driver.CUdeviceptr(), 100);
        assertEquals(10, v.slice(90, 10).floats());
        assertThrows(IndexOutOfBoundsException.class, () -> v.slice(91, 10));
        assertThrows(IllegalArgumentException.class, () -> v.require("x", 101));
        assertEquals(400, v.bytes());
    }
}
