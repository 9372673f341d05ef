package io.motionkernels.conformance;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpCasesTest {
    static Safetensors.Contents contents(Map<String, Tensor> tensors, Map<String, String> meta) {
        return new Safetensors.Contents(tensors, meta);
    }

    @Test
    void relativeL2() {
        Tensor ref = Tensor.of(new float[] {3, 4}, 2);
        assertEquals(0, OpCases.relativeL2(ref, ref));
        assertEquals(0.2, OpCases.relativeL2(Tensor.of(new float[] {3, 5}, 2), ref), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, OpCases.relativeL2(Tensor.of(new float[] {3, Float.NaN}, 2), ref));
        assertEquals(Double.POSITIVE_INFINITY, OpCases.relativeL2(Tensor.of(new float[] {3, 4}, 1, 2), ref));
        assertEquals(0, OpCases.relativeL2(Tensor.zeros(2), Tensor.zeros(2)));
        assertEquals(Double.POSITIVE_INFINITY, OpCases.relativeL2(ref, Tensor.zeros(2)));
    }

    @Test
    void runsAnInterpolateCaseAndReportsItsError() {
        Tensor in = Tensor.of(new float[] {1, 2}, 1, 1, 1, 1, 2);
        Tensor good = Tensor.of(new float[] {1, 1, 2, 2}, 1, 1, 1, 1, 4);
        Map<String, String> meta = Map.of("kind", "op:interpolate", "mode", "nearest", "scale_factor", "[1, 1, 2]");
        List<Comparison> ok = OpCases.run(contents(Map.of("input", in, "out", good), meta));
        assertEquals(1, ok.size());
        assertEquals("out", ok.get(0).name());
        assertTrue(ok.get(0).passes(1e-6));
        Tensor bad = Tensor.of(new float[] {1, 2, 2, 2}, 1, 1, 1, 1, 4);
        Comparison wrong = OpCases.run(contents(Map.of("input", in, "out", bad), meta)).get(0);
        assertFalse(wrong.passes(1e-4));
        assertTrue(wrong.describe().contains("relative L2"));
    }

    @Test
    void unknownOrIncompleteCasesThrowClearly() {
        Tensor t = Tensor.zeros(1, 1, 2, 2);
        Map<String, Tensor> ts = Map.of("input", t, "grid", Tensor.zeros(1, 2, 2, 2), "out", t);
        MotionKernelsException e = assertThrows(MotionKernelsException.class,
                () -> OpCases.run(contents(ts, Map.of("kind", "op:conv9d"))));
        assertTrue(e.getMessage().contains("op:conv9d"));
        assertThrows(MotionKernelsException.class, () -> OpCases.run(contents(ts, Map.of())));
        e = assertThrows(MotionKernelsException.class,
                () -> OpCases.run(contents(ts, Map.of("kind", "op:grid_sample", "mode", "bilinear"))));
        assertTrue(e.getMessage().contains("align_corners"), e.getMessage());
        assertThrows(MotionKernelsException.class, () -> OpCases.run(contents(ts,
                Map.of("kind", "op:grid_sample", "mode", "bicubic", "align_corners", "true"))));
        assertThrows(MotionKernelsException.class, () -> OpCases.run(contents(ts,
                Map.of("kind", "op:grid_sample", "padding_mode", "wrap", "align_corners", "true"))));
        assertThrows(MotionKernelsException.class, () -> OpCases.run(contents(Map.of("input", Tensor.zeros(1, 1, 1, 2, 2)),
                Map.of("kind", "op:interpolate", "mode", "nearest", "size", "[1, two, 2]"))));
        assertThrows(MotionKernelsException.class, () -> OpCases.run(contents(Map.of("mean", Tensor.zeros(1, 1, 1, 2)),
                Map.of("kind", "op:kp2gaussian", "kp_variance", "matrix", "spatial_size", "[4, 4]"))));
    }

    @Test
    void listsParse() {
        assertEquals(0.25, OpCases.doubleList(" [1, 0.25,0.25] ", "s")[1]);
        assertEquals(30, OpCases.intList("[2, 7, 30]", "s")[2]);
        assertThrows(IllegalArgumentException.class, () -> OpCases.intList("[2, 7.5]", "s"));
        assertThrows(IllegalArgumentException.class, () -> OpCases.doubleList("2, 7", "s"));
    }
}
