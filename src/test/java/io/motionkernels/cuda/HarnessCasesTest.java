package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The GPU harness's op table, exercised on the CPU backend alone: every case is well formed and
 * deterministic, and its CPU side (the reference compositions) runs wherever the CPU operation
 * exists already. Operations that are still stubs are counted, not failed.
 */
class HarnessCasesTest {
    @Test
    void casesAreUniqueAndCoverEveryKernel() {
        List<HarnessCases.Case> all = HarnessCases.all();
        Set<String> keys = new HashSet<>();
        for (HarnessCases.Case c : all) {
            assertTrue(keys.add(c.op() + " | " + c.params()), "duplicate case " + c.op() + " " + c.params());
            assertTrue(c.tolerance() >= 0 && c.tolerance() <= 1e-4, c.op() + " tolerance " + c.tolerance());
        }
        Set<String> ops = new HashSet<>();
        all.forEach(c -> ops.add(c.op()));
        for (String op : new String[] {"kp2gaussian", "gaussian2kp", "heatmap_embedding", "difference_embedding",
                "dense_motion_flow", "softmax_pixels", "softmax_channels", "grid_sample_2d", "grid_sample_3d",
                "grid_sample_depth1", "interp_nearest", "interp_nearest_scale", "interp_trilinear", "avg_pool2x2",
                "channel_affine_act", "activation", "add", "concat_channels", "channels_last_to_first"}) {
            assertTrue(ops.contains(op), "no harness case for " + op);
        }
    }

    @Test
    void cpuSideIsDeterministicAndFiniteWhereImplemented() {
        HarnessBackend cpu = HarnessBackend.cpu();
        int ran = 0;
        for (HarnessCases.Case c : HarnessCases.all()) {
            List<Tensor> a;
            try {
                a = c.run().apply(cpu);
            } catch (UnsupportedOperationException stub) {
                continue;
            }
            List<Tensor> b = c.run().apply(cpu);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).shape(), b.get(i).shape());
                assertArrayEquals(a.get(i).data(), b.get(i).data(), c.op() + " " + c.params() + " not deterministic");
                for (float v : a.get(i).data()) {
                    assertTrue(Float.isFinite(v), c.op() + " " + c.params() + " gives " + v);
                }
            }
            ran++;
        }
        System.out.println("harness cases with a CPU reference today: " + ran + " of " + HarnessCases.all().size());
    }
}
