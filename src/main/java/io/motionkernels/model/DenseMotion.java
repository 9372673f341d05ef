package io.motionkernels.model;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.Conv2d;
import io.motionkernels.cpu.Interpolate;
import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.cpu.Softmax;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

/**
 * The dense-motion module [generator.dense_motion_module.]: turns source and driving keypoints into a
 * per-pixel deformation (B, D, h, w, 3), a mask-weighted sum of keypoint displacements plus a
 * learned correction, added to the identity grid, with z = 0.
 */
final class DenseMotion {
    private final ModelConfig.DenseMotionParams p;
    private final int numKp;
    private final MovementEmbedding maskEmbedding;
    private final Conv2d[] groupBlocks;
    private final Hourglass hourglass;

    DenseMotion(ModelConfig config, Weights w) {
        p = config.generator().denseMotion();
        numKp = config.common().numKp();
        maskEmbedding = new MovementEmbedding(p.maskEmbedding(), config.common());
        int c = maskEmbedding.outChannels();
        groupBlocks = new Conv2d[p.numGroupBlocks()];
        String prefix = "generator.dense_motion_module.";
        for (int i = 0; i < groupBlocks.length; i++) {
            String b = prefix + "group_blocks." + i;
            // SameBlock (conv, BN, ReLU) then LeakyReLU(0.2), which leaves ReLU's output unchanged.
            groupBlocks[i] = Layers.convNorm(w, b + ".conv", b + ".norm", c, c, 1, numKp + 1, Activation.RELU);
        }
        int out = (numKp + 1) * (p.useMask() ? 1 : 0) + 2 * (p.useCorrection() ? 1 : 0);
        hourglass = new Hourglass(w, prefix + "hourglass.", p.blockExpansion(), c, out, p.numBlocks(),
                p.maxFeatures());
    }

    /** The embedding the hourglass sees, after the optional downscale (for inspection). */
    Tensor maskEmbedding(Tensor source, Keypoints driving, Keypoints sourceKp) {
        return maskEmbedding.forward(downscaled(source), driving, sourceKp);
    }

    private Tensor downscaled(Tensor source) {
        double s = p.scaleFactor();
        return s == 1 ? source : Interpolate.nearestScale(source, 1, s, s);
    }

    Tensor forward(Tensor source, Keypoints driving, Keypoints sourceKp) {
        Tensor x = maskEmbedding(source, driving, sourceKp);
        for (Conv2d g : groupBlocks) {
            x = g.apply(x);
        }
        Tensor pred = hourglass.forward(x);
        int b = pred.dim(0);
        int c = pred.dim(1);
        int d = pred.dim(2);
        int h = pred.dim(3);
        int w = pred.dim(4);
        int plane = h * w;
        float[] flow = new float[b * 2 * d * plane];
        float[] pd = pred.data();
        if (p.useMask()) {
            float[] mask = Softmax.overChannels(pred, numKp + 1).data();
            float[] dm = driving.mean().data();
            float[] sm = sourceKp.mean().data();
            for (int bi = 0; bi < b; bi++) {
                for (int di = 0; di < d; di++) {
                    for (int axis = 0; axis < 2; axis++) {
                        int to = ((bi * 2 + axis) * d + di) * plane;
                        // Slot 0 is the background, whose displacement is zero.
                        for (int k = 0; k < numKp; k++) {
                            float diff = sm[(bi * numKp + k) * 2 + axis] - dm[((bi * d + di) * numKp + k) * 2 + axis];
                            int m = ((bi * (numKp + 1) + k + 1) * d + di) * plane;
                            for (int i = 0; i < plane; i++) {
                                flow[to + i] += mask[m + i] * diff;
                            }
                        }
                    }
                }
            }
        }
        if (p.useCorrection()) {
            for (int bi = 0; bi < b; bi++) {
                for (int axis = 0; axis < 2; axis++) {
                    int from = ((bi * c + c - 2 + axis) * d) * plane;
                    int to = ((bi * 2 + axis) * d) * plane;
                    for (int i = 0; i < d * plane; i++) {
                        flow[to + i] += pd[from + i];
                    }
                }
            }
        }
        float[] grid = KeypointOps.coordinateGrid(h, w).data();
        Tensor deformation = Tensor.zeros(b, d, h, w, 3);
        float[] out = deformation.data();
        for (int bi = 0; bi < b; bi++) {
            for (int di = 0; di < d; di++) {
                for (int i = 0; i < plane; i++) {
                    int o = ((bi * d + di) * plane + i) * 3;
                    out[o] = grid[2 * i] + flow[((bi * 2) * d + di) * plane + i];
                    out[o + 1] = grid[2 * i + 1] + flow[((bi * 2 + 1) * d + di) * plane + i];
                }
            }
        }
        return deformation;
    }

    /** The identity deformation used when a generator has no dense-motion module. */
    static Tensor identity(int b, int d, int h, int w) {
        float[] grid = KeypointOps.coordinateGrid(h, w).data();
        Tensor deformation = Tensor.zeros(b, d, h, w, 3);
        float[] out = deformation.data();
        for (int f = 0; f < b * d; f++) {
            for (int i = 0; i < h * w; i++) {
                out[(f * h * w + i) * 3] = grid[2 * i];
                out[(f * h * w + i) * 3 + 1] = grid[2 * i + 1];
            }
        }
        return deformation;
    }
}
