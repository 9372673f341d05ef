package io.motionkernels.model;

import io.motionkernels.cpu.GridSample;
import io.motionkernels.cpu.Interpolate;
import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.cpu.Parallel;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

/**
 * Monkey-Net's MovementEmbeddingModule (no parameters): per keypoint slot, a heatmap, the keypoint
 * displacement and the source deformed by it, stacked as channels {@code slot * F + feature}.
 */
final class MovementEmbedding {
    private final ModelConfig.EmbeddingParams p;
    private final int numKp;
    private final int channels;
    private final KpVariance variance;

    MovementEmbedding(ModelConfig.EmbeddingParams p, ModelConfig.Common common) {
        this.p = p;
        this.numKp = common.numKp();
        this.channels = common.numChannels();
        this.variance = common.kpVariance();
    }

    int outChannels() {
        return p.outChannels(numKp, channels);
    }

    /** source (B, C, 1, H, W), driving keypoints (D frames), source keypoints (1 frame) -> (B, S*F, D, h, w). */
    Tensor forward(Tensor source, Keypoints driving, Keypoints sourceKp) {
        double s = p.scaleFactor();
        Tensor src = s == 1 ? source : Interpolate.nearestScale(source, 1, s, s);
        int b = src.dim(0);
        int h = src.dim(3);
        int w = src.dim(4);
        int d = driving.frames();
        int slots = p.slots(numKp);
        int f = p.featuresPerSlot(channels);
        int bg = p.addBackground() ? 1 : 0;
        int plane = h * w;
        Tensor out = Tensor.zeros(b, slots * f, d, h, w);
        float[] o = out.data();
        int offset = 0;
        if (p.useHeatmap()) {
            float[] heat = normalized(KeypointOps.kp2gaussian(driving, h, w, variance)).data();
            float[] heatSrc = p.differenceHeatmap()
                    ? normalized(KeypointOps.kp2gaussian(sourceKp, h, w, variance)).data() : null;
            for (int bi = 0; bi < b; bi++) {
                for (int di = 0; di < d; di++) {
                    for (int k = 0; k < numKp; k++) {
                        int from = ((bi * d + di) * numKp + k) * plane;
                        int fromSrc = (bi * numKp + k) * plane;
                        int to = (((bi * slots * f) + (k + bg) * f) * d + di) * plane;
                        for (int i = 0; i < plane; i++) {
                            o[to + i] = heatSrc == null ? heat[from + i] : heat[from + i] - heatSrc[fromSrc + i];
                        }
                    }
                }
            }
            offset = 1;
        }
        if (p.useDifference()) {
            float[] dm = driving.mean().data();
            float[] sm = sourceKp.mean().data();
            for (int bi = 0; bi < b; bi++) {
                for (int di = 0; di < d; di++) {
                    for (int k = 0; k < numKp; k++) {
                        for (int axis = 0; axis < 2; axis++) {
                            float diff = sm[(bi * numKp + k) * 2 + axis] - dm[((bi * d + di) * numKp + k) * 2 + axis];
                            int to = (((bi * slots * f) + (k + bg) * f + offset + axis) * d + di) * plane;
                            java.util.Arrays.fill(o, to, to + plane, diff);
                        }
                    }
                }
            }
            offset += 2;
        }
        if (p.useDeformedSource()) {
            deformedSource(src, driving, sourceKp, o, slots, f, offset, bg);
        }
        return out;
    }

    /** The source sampled at grid + (kp_source - kp_driving) for every slot (the background slot: no shift). */
    private void deformedSource(Tensor src, Keypoints driving, Keypoints sourceKp, float[] o, int slots, int f,
                                int offset, int bg) {
        int b = src.dim(0);
        int h = src.dim(3);
        int w = src.dim(4);
        int d = driving.frames();
        int plane = h * w;
        float[] grid = KeypointOps.coordinateGrid(h, w).data();
        float[] dm = driving.mean().data();
        float[] sm = sourceKp.mean().data();
        Parallel.forRange(b * d * slots, (long) plane * channels * 16, job -> {
            int slot = job % slots;
            int di = (job / slots) % d;
            int bi = job / (slots * d);
            int k = slot - bg;
            float dx = 0;
            float dy = 0;
            if (k >= 0) {
                dx = sm[(bi * numKp + k) * 2] - dm[((bi * d + di) * numKp + k) * 2];
                dy = sm[(bi * numKp + k) * 2 + 1] - dm[((bi * d + di) * numKp + k) * 2 + 1];
            }
            float[] g = new float[plane * 2];
            for (int i = 0; i < plane; i++) {
                g[2 * i] = grid[2 * i] + dx;
                g[2 * i + 1] = grid[2 * i + 1] + dy;
            }
            float[] img = new float[channels * plane];
            System.arraycopy(src.data(), bi * channels * plane, img, 0, channels * plane);
            float[] sampled = GridSample.sample(Tensor.of(img, 1, channels, h, w), Tensor.of(g, 1, h, w, 2),
                    GridSample.Padding.ZEROS, true).data();
            for (int c = 0; c < channels; c++) {
                int to = (((bi * slots * f) + slot * f + offset + c) * d + di) * plane;
                System.arraycopy(sampled, c * plane, o, to, plane);
            }
        });
    }

    /** Divides each (b, d, k) map by its sum over pixels ('sum') or by the constant. */
    private Tensor normalized(Tensor heat) {
        float[] x = heat.data();
        int plane = heat.dim(3) * heat.dim(4);
        if (p.normConst() != null) {
            float c = p.normConst().floatValue();
            for (int i = 0; i < x.length; i++) {
                x[i] /= c;
            }
            return heat;
        }
        for (int start = 0; start < x.length; start += plane) {
            double sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += x[start + i];
            }
            float fs = (float) sum;
            for (int i = 0; i < plane; i++) {
                x[start + i] /= fs;
            }
        }
        return heat;
    }
}
