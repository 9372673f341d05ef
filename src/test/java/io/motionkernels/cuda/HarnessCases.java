package io.motionkernels.cuda;

import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.GridSample.Padding;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * The harness's table of operations (test-backend-ops style): each case builds its random inputs
 * once from its own seed, then runs on both backends. Sizes are odd on purpose (not multiples of
 * a warp or block), with one-pixel and boundary cases. Tolerances are relative L2 errors chosen
 * per operation: 0 for pure data movement, ~1e-6 for a few float operations, 1e-5 where exp or
 * a reduction order differs; the model-level bound of golden/FORMAT.md is 1e-4.
 */
final class HarnessCases {
    private HarnessCases() {
    }

    /** One row: the result is a list of tensors compared pairwise (gaussian2kp gives mean and var). */
    record Case(String op, String params, double tolerance, Function<HarnessBackend, List<Tensor>> run) {
    }

    static final double EXACT = 0;
    static final double FEW_FLOPS = 1e-6;
    static final double TRANSCENDENTAL = 1e-5;

    static Tensor uniform(Random r, float lo, float hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = lo + (hi - lo) * r.nextFloat();
        }
        return t;
    }

    /** Keypoints with means in [-0.9, 0.9] and positive-definite variances of the requested kind. */
    static Keypoints keypoints(Random r, int b, int d, int k, KpVariance v) {
        Tensor mean = uniform(r, -0.9f, 0.9f, b, d, k, 2);
        Tensor var = null;
        if (v.kind() == KpVariance.Kind.MATRIX) {
            var = Tensor.zeros(b, d, k, 2, 2);
            for (int i = 0; i < b * d * k; i++) {
                float a = 0.005f + 0.05f * r.nextFloat(), c = 0.005f + 0.05f * r.nextFloat();
                float off = (float) ((r.nextFloat() * 1.6 - 0.8) * Math.sqrt(a * c));
                var.data()[4 * i] = a;
                var.data()[4 * i + 1] = off;
                var.data()[4 * i + 2] = off;
                var.data()[4 * i + 3] = c;
            }
        } else if (v.kind() == KpVariance.Kind.SINGLE) {
            var = uniform(r, 0.005f, 0.05f, b, d, k, 1, 1);
        }
        return new Keypoints(mean, var);
    }

    /** Softmax-like heatmaps (B, K, D, h, w): positive, each map summing to 1, peaked somewhere. */
    static Tensor heatmaps(Random r, int b, int k, int d, int h, int w) {
        Tensor t = uniform(r, 0, 1, b, k, d, h, w);
        int hw = h * w;
        for (int m = 0; m < b * k * d; m++) {
            int peak = r.nextInt(hw);
            double s = 0;
            for (int p = 0; p < hw; p++) {
                float v = (float) Math.exp(-Math.abs(p - peak) / 7.0) + 1e-3f * t.data()[m * hw + p];
                t.data()[m * hw + p] = v;
                s += v;
            }
            for (int p = 0; p < hw; p++) {
                t.data()[m * hw + p] /= (float) s;
            }
        }
        return t;
    }

    static List<Case> all() {
        List<Case> cs = new ArrayList<>();
        KpVariance[] kinds = {KpVariance.MATRIX, KpVariance.SINGLE, KpVariance.constant(0.01)};
        int[][] sizes = {{33, 47}, {64, 64}, {7, 5}, {2, 3}};
        int seed = 1;
        for (KpVariance v : kinds) {
            for (int[] s : sizes) {
                long sd = seed++;
                cs.add(new Case("kp2gaussian", v + " " + s[0] + "x" + s[1], TRANSCENDENTAL, be -> {
                    Random r = new Random(sd);
                    return List.of(be.kp2gaussian(keypoints(r, 2, 3, 10, v), s[0], s[1], v));
                }));
            }
        }
        for (KpVariance v : kinds) {
            for (Double clip : new Double[] {null, 0.001, 0.05}) {
                if (clip != null && v.kind() != KpVariance.Kind.MATRIX) {
                    continue;
                }
                for (int[] s : new int[][] {{33, 47}, {64, 64}, {3, 2}}) {
                    long sd = seed++;
                    cs.add(new Case("gaussian2kp", v + " clip " + clip + " " + s[0] + "x" + s[1], TRANSCENDENTAL, be -> {
                        Random r = new Random(sd);
                        Keypoints kp = be.gaussian2kp(heatmaps(r, 2, 10, 3, s[0], s[1]), v, clip);
                        return kp.var() == null ? List.of(kp.mean()) : List.of(kp.mean(), kp.var());
                    }));
                }
            }
        }
        for (KpVariance v : kinds) {
            for (Double norm : new Double[] {null, 100.0}) {
                for (boolean diff : new boolean[] {false, true}) {
                    for (boolean bg : new boolean[] {false, true}) {
                        long sd = seed++;
                        cs.add(new Case("heatmap_embedding", v + " norm " + (norm == null ? "sum" : norm) + (diff ? " diff" : "")
                                + (bg ? " bg" : "") + " 17x23", TRANSCENDENTAL, be -> {
                            Random r = new Random(sd);
                            Keypoints drv = keypoints(r, 2, 3, 5, v), src = keypoints(r, 2, 1, 5, v);
                            return List.of(be.heatmapEmbedding(drv, src, v, 17, 23, norm, diff, bg));
                        }));
                    }
                }
            }
        }
        for (boolean bg : new boolean[] {false, true}) {
            long sd = seed++;
            cs.add(new Case("difference_embedding", (bg ? "bg " : "") + "9x11", EXACT, be -> {
                Random r = new Random(sd);
                Keypoints drv = keypoints(r, 2, 3, 5, KpVariance.SINGLE), src = keypoints(r, 2, 1, 5, KpVariance.SINGLE);
                return List.of(be.differenceEmbedding(drv, src, 9, 11, bg));
            }));
        }
        for (boolean mask : new boolean[] {false, true}) {
            for (boolean corr : new boolean[] {false, true}) {
                long sd = seed++;
                int cp = (mask ? 11 : 0) + (corr ? 2 : 0) + 1; // one extra channel the kernel must ignore
                cs.add(new Case("dense_motion_flow", "mask " + mask + " correction " + corr + " 19x13", TRANSCENDENTAL, be -> {
                    Random r = new Random(sd);
                    Tensor pred = uniform(r, -3, 3, 2, cp, 3, 19, 13);
                    Keypoints drv = keypoints(r, 2, 3, 10, KpVariance.SINGLE), src = keypoints(r, 2, 1, 10, KpVariance.SINGLE);
                    return List.of(be.denseMotionDeformation(pred, drv, src, mask, corr));
                }));
            }
        }
        for (int[] s : new int[][] {{2, 3, 1, 33, 47}, {1, 10, 4, 64, 64}, {3, 2, 2, 1, 1}, {1, 1, 1, 1, 300}}) {
            for (double t : new double[] {0.1, 1.0}) {
                long sd = seed++;
                cs.add(new Case("softmax_pixels", java.util.Arrays.toString(s) + " T " + t, TRANSCENDENTAL, be -> {
                    Random r = new Random(sd);
                    return List.of(be.softmaxOverPixels(uniform(r, -4, 4, s), t));
                }));
            }
        }
        for (int[] s : new int[][] {{2, 11, 3, 7, 9, 11}, {1, 13, 1, 5, 5, 11}, {1, 1, 1, 1, 1, 1}}) {
            long sd = seed++;
            cs.add(new Case("softmax_channels", java.util.Arrays.toString(s), TRANSCENDENTAL, be -> {
                Random r = new Random(sd);
                return List.of(be.softmaxOverChannels(uniform(r, -5, 5, s[0], s[1], s[2], s[3], s[4]), s[5]));
            }));
        }
        for (Padding p : Padding.values()) {
            for (boolean ac : new boolean[] {false, true}) {
                long sd = seed++;
                cs.add(new Case("grid_sample_2d", p + " ac " + ac + " 7x9 -> 6x8", FEW_FLOPS, be -> {
                    Random r = new Random(sd);
                    return List.of(be.gridSample(uniform(r, -1, 1, 2, 5, 7, 9), uniform(r, -1.3f, 1.3f, 2, 6, 8, 2), p, ac));
                }));
                long sd1 = seed++;
                cs.add(new Case("grid_sample_2d", p + " ac " + ac + " 1x1 input", FEW_FLOPS, be -> {
                    Random r = new Random(sd1);
                    return List.of(be.gridSample(uniform(r, -1, 1, 1, 3, 1, 1), uniform(r, -1.5f, 1.5f, 1, 5, 4, 2), p, ac));
                }));
                long sd2 = seed++;
                cs.add(new Case("grid_sample_3d", p + " ac " + ac + " 3x9x11 -> 2x6x8", FEW_FLOPS, be -> {
                    Random r = new Random(sd2);
                    return List.of(be.gridSample(uniform(r, -1, 1, 2, 4, 3, 9, 11), uniform(r, -1.3f, 1.3f, 2, 2, 6, 8, 3), p, ac));
                }));
                long sd3 = seed++;
                cs.add(new Case("grid_sample_depth1", p + " ac " + ac + " z in [-1, 1]", FEW_FLOPS, be -> {
                    Random r = new Random(sd3);
                    return List.of(be.gridSampleDepth1(uniform(r, -1, 1, 2, 6, 1, 16, 17), uniform(r, -1.2f, 1.2f, 2, 4, 15, 13, 3), p, ac));
                }));
            }
        }
        long sdz = seed++;
        cs.add(new Case("grid_sample_depth1", "zeros ac true z = 0 (the model)", FEW_FLOPS, be -> {
            Random r = new Random(sdz);
            Tensor grid = uniform(r, -1.1f, 1.1f, 1, 4, 16, 16, 3);
            for (int i = 2; i < grid.numel(); i += 3) {
                grid.data()[i] = 0;
            }
            return List.of(be.gridSampleDepth1(uniform(r, 0, 1, 1, 6, 1, 16, 16), grid, Padding.ZEROS, true));
        }));
        for (int[] s : new int[][] {{2, 7, 30}, {2, 16, 24}, {1, 32, 48}, {3, 5, 1}, {2, 33, 49}}) {
            long sd = seed++;
            cs.add(new Case("interp_nearest", "(2,16,24) -> " + java.util.Arrays.toString(s), EXACT, be -> {
                Random r = new Random(sd);
                return List.of(be.nearest(uniform(r, -1, 1, 1, 4, 2, 16, 24), s[0], s[1], s[2]));
            }));
            long sd2 = seed++;
            cs.add(new Case("interp_trilinear", "(2,16,24) -> " + java.util.Arrays.toString(s), FEW_FLOPS, be -> {
                Random r = new Random(sd2);
                return List.of(be.trilinear(uniform(r, -1, 1, 1, 4, 2, 16, 24), s[0], s[1], s[2]));
            }));
        }
        for (double f : new double[] {0.25, 0.5, 2, 1.5, 1.1}) {
            long sd = seed++;
            cs.add(new Case("interp_nearest_scale", "(2,17,25) x " + f, EXACT, be -> {
                Random r = new Random(sd);
                return List.of(be.nearestScale(uniform(r, -1, 1, 2, 3, 2, 17, 25), 1, f, f));
            }));
        }
        for (int[] s : new int[][] {{2, 5, 3, 16, 24}, {1, 2, 1, 7, 9}, {1, 1, 1, 1, 1}, {1, 3, 2, 3, 2}}) {
            long sd = seed++;
            cs.add(new Case("avg_pool2x2", java.util.Arrays.toString(s), FEW_FLOPS, be -> {
                Random r = new Random(sd);
                return List.of(be.avgPool2x2(uniform(r, -2, 2, s)));
            }));
        }
        for (Activation a : Activation.values()) {
            long sd = seed++;
            cs.add(new Case("channel_affine_act", a + " (2,7,3,5,9)", a == Activation.SIGMOID ? TRANSCENDENTAL : FEW_FLOPS, be -> {
                Random r = new Random(sd);
                Tensor x = uniform(r, -3, 3, 2, 7, 3, 5, 9);
                return List.of(be.affineChannels(x, uniform(r, 0.5f, 1.5f, 7).data(), uniform(r, -0.2f, 0.2f, 7).data(), a));
            }));
            long sd2 = seed++;
            cs.add(new Case("activation", a + " (1,3,1,1,1001)", a == Activation.SIGMOID ? TRANSCENDENTAL : EXACT, be -> {
                Random r = new Random(sd2);
                return List.of(be.affineChannels(uniform(r, -8, 8, 1, 3, 1, 1, 1001), null, null, a));
            }));
        }
        long sda = seed++;
        cs.add(new Case("add", "(2,5,3,7,11)", FEW_FLOPS, be -> {
            Random r = new Random(sda);
            return List.of(be.add(uniform(r, -1, 1, 2, 5, 3, 7, 11), uniform(r, -1, 1, 2, 5, 3, 7, 11)));
        }));
        long sdc = seed++;
        cs.add(new Case("concat_channels", "2+5+1 channels, batch 3", EXACT, be -> {
            Random r = new Random(sdc);
            return List.of(be.concatChannels(uniform(r, -1, 1, 3, 2, 2, 5, 7), uniform(r, -1, 1, 3, 5, 2, 5, 7),
                    uniform(r, -1, 1, 3, 1, 2, 5, 7)));
        }));
        long sdt = seed++;
        cs.add(new Case("channels_last_to_first", "(2,3,5,7,3)", EXACT, be -> {
            Random r = new Random(sdt);
            return List.of(be.channelsLastToFirst(uniform(r, -1, 1, 2, 3, 5, 7, 3)));
        }));
        return cs;
    }
}
