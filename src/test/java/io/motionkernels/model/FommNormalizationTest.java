package io.motionkernels.model;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FOMM's normalize_kp: hull areas, relative movement and the relative jacobian, by hand. */
class FommNormalizationTest {
    private static FommKeypoints kp(float[] value, float[] jac) {
        int k = value.length / 2;
        return new FommKeypoints(Tensor.of(value, 1, k, 2), jac == null ? null : Tensor.of(jac, 1, k, 2, 2));
    }

    @Test
    void hullAreasCountOnlyTheHull() {
        // a square of side 1 with one point inside and one on an edge
        Tensor square = Tensor.of(new float[] {0, 0, 1, 0, 1, 1, 0, 1, 0.5f, 0.5f, 0.5f, 0}, 1, 6, 2);
        assertEquals(1.0, FommNormalization.hullArea(square, "t"), 1e-12);
        Tensor small = Tensor.of(new float[] {0, 0, 0.5f, 0, 0.5f, 0.5f, 0, 0.5f}, 1, 4, 2);
        assertEquals(2.0, FommNormalization.movementScale(new FommKeypoints(square, null), new FommKeypoints(small, null)),
                1e-12);
        Tensor line = Tensor.of(new float[] {0, 0, 1, 1, 2, 2, 0.5f, 0.5f}, 1, 4, 2);
        MotionKernelsException e = assertThrows(MotionKernelsException.class,
                () -> FommNormalization.hullArea(line, "source"));
        assertTrue(e.getMessage().contains("source"), e.getMessage());
    }

    @Test
    void relativeMovementAndJacobian() {
        FommKeypoints src = kp(new float[] {0.1f, 0.2f}, new float[] {1, 0.5f, 0, 2});
        FommKeypoints init = kp(new float[] {0.3f, -0.1f}, new float[] {2, 0, 0, 4});
        FommKeypoints drv = kp(new float[] {0.5f, 0.1f}, new float[] {1, 1, 0, 1});
        assertSame(drv, FommNormalization.normalize(src, drv, init, FommConfig.Normalization.ABSOLUTE, 3));
        FommKeypoints moved = FommNormalization.normalize(src, drv, init, new FommConfig.Normalization(true, true, false), 1.5);
        assertArrayEquals(new float[] {(float) (0.2 * 1.5 + 0.1), (float) (0.2 * 1.5 + 0.2)}, moved.value().data(), 1e-6f);
        assertSame(drv.jacobian(), moved.jacobian());
        FommKeypoints rel = FommNormalization.normalize(src, drv, init, new FommConfig.Normalization(false, true, true), 1);
        // J_d inv(J_0) = [[1, 1], [0, 1]] [[0.5, 0], [0, 0.25]] = [[0.5, 0.25], [0, 0.25]]; times J_s
        assertArrayEquals(new float[] {0.5f, 0.75f, 0, 0.5f}, rel.jacobian().data(), 1e-6f);
        // the initial frame itself gives the source back
        FommKeypoints self = FommNormalization.normalize(src, init, init, new FommConfig.Normalization(false, true, true), 1);
        assertArrayEquals(src.value().data(), self.value().data(), 1e-7f);
        assertArrayEquals(src.jacobian().data(), self.jacobian().data(), 1e-6f);
        MotionKernelsException e = assertThrows(MotionKernelsException.class, () -> FommNormalization.normalize(
                kp(new float[] {0, 0}, null), kp(new float[] {0, 0}, null), kp(new float[] {0, 0}, null),
                new FommConfig.Normalization(false, true, true), 1));
        assertTrue(e.getMessage().contains("use_relative_jacobian"), e.getMessage());
    }
}
