package io.motionkernels.cuda;

import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.Elementwise;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.cpu.Interpolate;
import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.cpu.Pool;
import io.motionkernels.cpu.Softmax;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Tensor;

/**
 * The operations the GPU harness compares, as one interface with a CPU implementation (the
 * reference operations of {@code io.motionkernels.cpu}, composed where the GPU has a fused kernel)
 * and a GPU one ({@link CudaTensorOps}).
 */
interface HarnessBackend {
    Tensor kp2gaussian(Keypoints kp, int h, int w, KpVariance v);

    Keypoints gaussian2kp(Tensor heat, KpVariance v, Double clip);

    Tensor heatmapEmbedding(Keypoints drv, Keypoints src, KpVariance v, int h, int w, Double norm, boolean diff, boolean bg);

    Tensor differenceEmbedding(Keypoints drv, Keypoints src, int h, int w, boolean bg);

    Tensor denseMotionDeformation(Tensor pred, Keypoints drv, Keypoints src, boolean useMask, boolean useCorrection);

    Tensor softmaxOverPixels(Tensor x, double t);

    Tensor softmaxOverChannels(Tensor x, int channels);

    Tensor gridSample(Tensor in, Tensor grid, GridSample.Padding p, boolean ac);

    Tensor gridSampleDepth1(Tensor in, Tensor grid, GridSample.Padding p, boolean ac);

    Tensor nearest(Tensor x, int d, int h, int w);

    Tensor nearestScale(Tensor x, double sd, double sh, double sw);

    Tensor trilinear(Tensor x, int d, int h, int w);

    Tensor avgPool2x2(Tensor x);

    Tensor affineChannels(Tensor x, float[] scale, float[] shift, Activation act);

    Tensor add(Tensor a, Tensor b);

    Tensor concatChannels(Tensor... parts);

    Tensor channelsLastToFirst(Tensor x);

    /** The GPU side. */
    static HarnessBackend gpu(CudaTensorOps g) {
        return new HarnessBackend() {
            public Tensor kp2gaussian(Keypoints kp, int h, int w, KpVariance v) { return g.kp2gaussian(kp, h, w, v); }
            public Keypoints gaussian2kp(Tensor heat, KpVariance v, Double clip) { return g.gaussian2kp(heat, v, clip); }
            public Tensor heatmapEmbedding(Keypoints d, Keypoints s, KpVariance v, int h, int w, Double n, boolean df, boolean bg) {
                return g.heatmapEmbedding(d, s, v, h, w, n, df, bg);
            }
            public Tensor differenceEmbedding(Keypoints d, Keypoints s, int h, int w, boolean bg) {
                return g.differenceEmbedding(d, s, h, w, bg);
            }
            public Tensor denseMotionDeformation(Tensor p, Keypoints d, Keypoints s, boolean m, boolean c) {
                return g.denseMotionDeformation(p, d, s, m, c);
            }
            public Tensor softmaxOverPixels(Tensor x, double t) { return g.softmaxOverPixels(x, t); }
            public Tensor softmaxOverChannels(Tensor x, int c) { return g.softmaxOverChannels(x, c); }
            public Tensor gridSample(Tensor in, Tensor grid, GridSample.Padding p, boolean ac) { return g.gridSample(in, grid, p, ac); }
            public Tensor gridSampleDepth1(Tensor in, Tensor grid, GridSample.Padding p, boolean ac) {
                return g.gridSampleDepth1(in, grid, p, ac);
            }
            public Tensor nearest(Tensor x, int d, int h, int w) { return g.nearest(x, d, h, w); }
            public Tensor nearestScale(Tensor x, double sd, double sh, double sw) { return g.nearestScale(x, sd, sh, sw); }
            public Tensor trilinear(Tensor x, int d, int h, int w) { return g.trilinear(x, d, h, w); }
            public Tensor avgPool2x2(Tensor x) { return g.avgPool2x2(x); }
            public Tensor affineChannels(Tensor x, float[] s, float[] b, Activation a) { return g.affineChannels(x, s, b, a); }
            public Tensor add(Tensor a, Tensor b) { return g.add(a, b); }
            public Tensor concatChannels(Tensor... parts) { return g.concatChannels(parts); }
            public Tensor channelsLastToFirst(Tensor x) { return g.channelsLastToFirst(x); }
        };
    }

    /** The CPU reference. */
    static HarnessBackend cpu() {
        return new HarnessBackend() {
            public Tensor kp2gaussian(Keypoints kp, int h, int w, KpVariance v) { return KeypointOps.kp2gaussian(kp, h, w, v); }
            public Keypoints gaussian2kp(Tensor heat, KpVariance v, Double clip) { return KeypointOps.gaussian2kp(heat, v, clip); }

            public Tensor heatmapEmbedding(Keypoints drv, Keypoints src, KpVariance v, int h, int w, Double norm,
                                           boolean diff, boolean bg) {
                int b = drv.batch(), d = drv.frames(), k = drv.count(), hw = h * w, slots = k + (bg ? 1 : 0);
                Tensor gd = KeypointOps.kp2gaussian(drv, h, w, v);  // (B, D, K, h, w)
                Tensor gs = KeypointOps.kp2gaussian(src, h, w, v);  // (B, 1, K, h, w)
                Tensor out = Tensor.zeros(b, slots, d, h, w);
                for (int bi = 0; bi < b; bi++) {
                    for (int di = 0; di < d; di++) {
                        for (int ki = 0; ki < k; ki++) {
                            int od = (((bi * d) + di) * k + ki) * hw, os = (bi * k + ki) * hw;
                            double nd = norm == null ? sum(gd.data(), od, hw) : norm;
                            double ns = norm == null ? sum(gs.data(), os, hw) : norm;
                            int o = ((bi * slots + ki + (bg ? 1 : 0)) * d + di) * hw;
                            for (int p = 0; p < hw; p++) {
                                float val = gd.data()[od + p] / (float) nd;
                                if (diff) {
                                    val -= gs.data()[os + p] / (float) ns;
                                }
                                out.data()[o + p] = val;
                            }
                        }
                    }
                }
                return out;
            }

            public Tensor differenceEmbedding(Keypoints drv, Keypoints src, int h, int w, boolean bg) {
                int b = drv.batch(), d = drv.frames(), k = drv.count(), hw = h * w, slots = k + (bg ? 1 : 0);
                Tensor out = Tensor.zeros(b, 2 * slots, d, h, w);
                for (int bi = 0; bi < b; bi++) {
                    for (int ki = 0; ki < k; ki++) {
                        for (int xy = 0; xy < 2; xy++) {
                            for (int di = 0; di < d; di++) {
                                float v = src.mean().get(bi, 0, ki, xy) - drv.mean().get(bi, di, ki, xy);
                                int o = ((bi * 2 * slots + 2 * (ki + (bg ? 1 : 0)) + xy) * d + di) * hw;
                                java.util.Arrays.fill(out.data(), o, o + hw, v);
                            }
                        }
                    }
                }
                return out;
            }

            public Tensor denseMotionDeformation(Tensor pred, Keypoints drv, Keypoints src, boolean useMask,
                                                 boolean useCorrection) {
                int b = pred.dim(0), cp = pred.dim(1), d = pred.dim(2), h = pred.dim(3), w = pred.dim(4), k = drv.count();
                Tensor mask = useMask ? Softmax.overChannels(pred, k + 1) : null;
                Tensor grid = KeypointOps.coordinateGrid(h, w);
                Tensor out = Tensor.zeros(b, d, h, w, 3);
                for (int bi = 0; bi < b; bi++) {
                    for (int di = 0; di < d; di++) {
                        for (int i = 0; i < h; i++) {
                            for (int j = 0; j < w; j++) {
                                float fx = 0, fy = 0;
                                for (int s = 0; useMask && s <= k; s++) {
                                    float m = mask.get(bi, s, di, i, j);
                                    float dx = s == 0 ? 0 : src.mean().get(bi, 0, s - 1, 0) - drv.mean().get(bi, di, s - 1, 0);
                                    float dy = s == 0 ? 0 : src.mean().get(bi, 0, s - 1, 1) - drv.mean().get(bi, di, s - 1, 1);
                                    fx += dx * m;
                                    fy += dy * m;
                                }
                                if (useCorrection) {
                                    fx += pred.get(bi, cp - 2, di, i, j);
                                    fy += pred.get(bi, cp - 1, di, i, j);
                                }
                                out.set(fx + grid.get(i, j, 0), bi, di, i, j, 0);
                                out.set(fy + grid.get(i, j, 1), bi, di, i, j, 1);
                            }
                        }
                    }
                }
                return out;
            }

            public Tensor softmaxOverPixels(Tensor x, double t) { return Softmax.overPixels(x, t); }
            public Tensor softmaxOverChannels(Tensor x, int c) { return Softmax.overChannels(x, c); }
            public Tensor gridSample(Tensor in, Tensor grid, GridSample.Padding p, boolean ac) { return GridSample.sample(in, grid, p, ac); }
            public Tensor gridSampleDepth1(Tensor in, Tensor grid, GridSample.Padding p, boolean ac) {
                return GridSample.sample(in, grid, p, ac);
            }
            public Tensor nearest(Tensor x, int d, int h, int w) { return Interpolate.nearest(x, d, h, w); }
            public Tensor nearestScale(Tensor x, double sd, double sh, double sw) { return Interpolate.nearestScale(x, sd, sh, sw); }
            public Tensor trilinear(Tensor x, int d, int h, int w) { return Interpolate.trilinear(x, d, h, w); }
            public Tensor avgPool2x2(Tensor x) { return Pool.avgPool2x2(x); }
            public Tensor affineChannels(Tensor x, float[] s, float[] b, Activation a) {
                return s == null ? Elementwise.apply(x, a) : Elementwise.affineChannels(x, s, b, a);
            }
            public Tensor add(Tensor a, Tensor b) { return Elementwise.add(a, b); }
            public Tensor concatChannels(Tensor... parts) { return Elementwise.concatChannels(parts); }

            public Tensor channelsLastToFirst(Tensor x) {
                int b = x.dim(0), c = x.dim(-1), inner = x.numel() / (b * c);
                int[] shape = new int[x.rank()];
                shape[0] = b;
                shape[1] = c;
                System.arraycopy(x.shape(), 1, shape, 2, x.rank() - 2);
                Tensor out = Tensor.zeros(shape);
                for (int bi = 0; bi < b; bi++) {
                    for (int p = 0; p < inner; p++) {
                        for (int ci = 0; ci < c; ci++) {
                            out.data()[(bi * c + ci) * inner + p] = x.data()[(bi * inner + p) * c + ci];
                        }
                    }
                }
                return out;
            }
        };
    }

    private static double sum(float[] a, int off, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += a[off + i];
        }
        return s;
    }
}
