package io.motionkernels.engine;

import io.motionkernels.engine.Graph.Value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One row of the op harness's table ({@link OpTable}): a one-node {@link Graph} with its random
 * inputs, and how close a device must come to the reference. {@code name} is
 * {@code family/parameters}; the family is the {@link Ops} record under test. The inputs come
 * from a seed derived from the name, so both devices (and every rerun) see the same data.
 */
public record OpCase(String name, Tolerance tolerance, Consumer<Setup> recipe) {
    public OpCase {
        if (name.indexOf('/') <= 0) {
            throw new IllegalArgumentException("case name must be family/parameters: " + name);
        }
    }

    public String family() {
        return name.substring(0, name.indexOf('/'));
    }

    /**
     * Bounds on the relative L2 error (over each output) and on the largest absolute difference.
     * Inputs are O(1) by construction (weights scaled by 1/sqrt(fan-in)), so an absolute bound
     * means the same for every case of a class.
     */
    public record Tolerance(String label, double relL2, double maxAbs) {
        /** Data movement (copies, transposes, nearest, a subtraction): bit-exact. */
        public static final Tolerance EXACT = new Tolerance("exact", 0, 0);
        /** A few float operations per value (bilinear weights, an affine, a 2x2 mean): FMA contraction differs. */
        public static final Tolerance FEW_FLOPS = new Tolerance("few-flops", 1e-6, 1e-5);
        /** exp/log or a reduction over a map, where the device's math library or summation order differ. */
        public static final Tolerance TRANSCENDENTAL = new Tolerance("transcendental", 1e-5, 1e-4);
        /** Convolutions in strict float32 (FMA, no TF32): long dot products summed in another order. */
        public static final Tolerance CONV = new Tolerance("conv", 1e-5, 1e-4);

        /**
         * Sampling at computed coordinates (grid_sample, trilinear) whose source coordinates reach
         * {@code extent} pixels. The kernels compute a coordinate in float32 as ATen does, the CPU
         * device in double (grid_sample) or without FMA contraction (trilinear), so the two differ
         * by up to about an ulp of the coordinate, 1.2e-7 * extent, which moves a bilinear value by
         * that much times a neighbour difference (at most 2 for inputs in [-1, 1]) per axis. A
         * faithful float32 port of ATen's grid_sample is 8e-6 / 2.4e-5 off at 256x256.
         */
        public static Tolerance sampling(double extent) {
            double e = Math.max(1, extent);
            return new Tolerance(String.format(java.util.Locale.ROOT, "sampling %.0f", e), 2e-7 * e, 5e-7 * e);
        }
    }

    /** The graph, the data of each input (in upload order) and the outputs to compare. */
    public record Built(Graph graph, Map<String, float[]> inputs, List<String> outputs) {
    }

    public Built build() {
        Setup s = new Setup(name, new Random(name.hashCode() * 0x9E3779B97F4A7C15L));
        recipe.accept(s);
        if (s.outputs.isEmpty() || s.nodes == 0) {
            throw new IllegalStateException(name + ": a case needs a node and an output");
        }
        return new Built(s.g.build(), Collections.unmodifiableMap(s.inputs), List.copyOf(s.outputs));
    }

    /** What a case's recipe builds with: graph values with their data, and the one node. */
    public static final class Setup {
        private final String caseName;
        private final Graph.Builder g;
        private final Random random;
        private final Map<String, float[]> inputs = new LinkedHashMap<>();
        private final List<String> outputs = new ArrayList<>();
        private int nodes;

        Setup(String caseName, Random random) {
            this.caseName = caseName;
            this.g = Graph.builder(caseName);
            this.random = random;
        }

        public Random random() {
            return random;
        }

        /** An input uploaded with {@code data}. */
        public Value input(String name, float[] data) {
            Value v = g.input(name, data.length);
            inputs.put(name, data);
            return v;
        }

        /** An input of {@code floats} values uniform in [lo, hi). */
        public Value uniform(String name, long floats, float lo, float hi) {
            return input(name, uniform(floats, lo, hi));
        }

        public float[] uniform(long floats, float lo, float hi) {
            float[] a = new float[Math.toIntExact(floats)];
            for (int i = 0; i < a.length; i++) {
                a[i] = lo + (hi - lo) * random.nextFloat();
            }
            return a;
        }

        /**
         * An output the operation must write completely: the executor poisons it with NaN when
         * its lifetime starts, so a value the device leaves unwritten fails the comparison.
         */
        public Value output(String name, long floats) {
            Value v = g.output(g.temp(name, floats));
            outputs.add(name);
            return v;
        }

        /**
         * An output the operation writes only part of (a channel slice, an offset window): it
         * starts as random data, uploaded; the harness requires the values the reference leaves
         * to stay bit for bit and measures the error over the rest, so a write outside the part
         * and an unwritten value inside it both fail.
         */
        public Value prefilledOutput(String name, long floats) {
            Value v = g.output(uniform(name, floats, -1, 1));
            outputs.add(name);
            return v;
        }

        /** A workspace for a convolution, sized by the device. */
        public Value workspace(String name) {
            return g.workspace(name);
        }

        public void node(Graph.Op op) {
            if (nodes++ > 0) {
                throw new IllegalStateException(caseName + ": one node per case");
            }
            g.node(caseName, op);
        }
    }
}
