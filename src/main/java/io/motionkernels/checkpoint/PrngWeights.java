package io.motionkernels.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * The deterministic weights of the reference cases with {@code weights: prng}: every parameter is
 * a pure function of its full checkpoint name and the case's seed (see golden/FORMAT.md).
 */
public final class PrngWeights {
    private PrngWeights() {
    }

    static long splitmix64(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /**
     * The values of one parameter.
     *
     * @param name  the full checkpoint name, e.g. {@code generator.x.conv.weight}
     * @param shape the parameter's shape
     * @param seed  the case's seed
     * @return the values, row-major (zeros for a {@code num_batches_tracked} counter)
     */
    public static float[] generate(String name, int[] shape, long seed) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] out = new float[n];
        if (name.endsWith(".num_batches_tracked")) {
            return out;
        }
        long base = fnv1a64(name) ^ splitmix64(seed);
        double fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        double bound = Math.sqrt(6.0 / fanIn);
        for (int i = 0; i < n; i++) {
            double u = (splitmix64(base + i) >>> 11) * 0x1p-53;
            double v;
            if (name.endsWith(".running_mean") || name.endsWith(".bias")) {
                v = 0.1 * (2 * u - 1);
            } else if (name.endsWith(".running_var")) {
                v = 0.75 + 0.5 * u;
            } else if (name.endsWith(".weight") && shape.length == 1) {
                v = 0.75 + 0.5 * u;
            } else if (name.endsWith(".weight")) {
                v = (2 * u - 1) * bound;
            } else {
                throw new CheckpointException("no prng rule for parameter '" + name + "'");
            }
            out[i] = (float) v;
        }
        return out;
    }
}
