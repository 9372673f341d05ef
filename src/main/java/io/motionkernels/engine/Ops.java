package io.motionkernels.engine;

import io.motionkernels.engine.Graph.Op;
import io.motionkernels.engine.Graph.Ref;
import io.motionkernels.engine.Graph.Resolver;
import io.motionkernels.tensor.KpVariance;

import java.util.Arrays;
import java.util.List;

/**
 * The operations a graph is made of: one record per {@link Device} operation, holding its
 * arguments, listing the buffers it touches and running itself on a device. Adding an operation
 * means a record here, its method on {@link Device} and one implementation in each device.
 */
public final class Ops {
    private Ops() {
    }

    private static List<Ref> list(Ref... refs) {
        return Arrays.asList(refs);
    }

    private static View v(Resolver r, Ref ref) {
        return ref == null ? null : r.view(ref);
    }

    /** {@link Device#conv}: convolution with folded batch norm, bias, activation, residual, x2 input, channel slice. */
    public record Conv(ConvSpec spec, Ref x, int n, int h, int w, int up, Ref residual, Ref y, int yChannels,
                       int yOffset, Ref workspace) implements Op {
        public List<Ref> refs() {
            return list(x, residual, y, workspace);
        }

        public void run(Device d, Resolver r) {
            d.conv(r.conv(spec), v(r, x), n, h, w, up, v(r, residual), v(r, y), yChannels, yOffset, v(r, workspace));
        }
    }

    public record CopyStrided(Ref src, int[] dims, long[] srcStrides, Ref dst, long[] dstStrides) implements Op {
        public List<Ref> refs() {
            return list(src, dst);
        }

        public void run(Device d, Resolver r) {
            d.copyStrided(v(r, src), dims, srcStrides, v(r, dst), dstStrides);
        }
    }

    public record InterpolateNearest(Ref in, int nc, int di, int hi, int wi, int od, int ho, int wo, float sd,
                                     float sh, float sw, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, out);
        }

        public void run(Device d, Resolver r) {
            d.interpolateNearest(v(r, in), nc, di, hi, wi, od, ho, wo, sd, sh, sw, v(r, out));
        }
    }

    public record InterpolateTrilinear(Ref in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd,
                                       float rh, float rw, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, out);
        }

        public void run(Device d, Resolver r) {
            d.interpolateTrilinear(v(r, in), nc, di, hi, wi, od, ho, wo, rd, rh, rw, v(r, out));
        }
    }

    public record AvgPool2x2(Ref in, long planes, int h, int w, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, out);
        }

        public void run(Device d, Resolver r) {
            d.avgPool2x2(v(r, in), planes, h, w, v(r, out));
        }
    }

    public record ChannelAffine(Ref in, Ref scale, Ref shift, int b, int c, long inner, Activation act,
                                int outChannels, int outOffset, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, scale, shift, out);
        }

        public void run(Device d, Resolver r) {
            d.channelAffine(v(r, in), v(r, scale), v(r, shift), b, c, inner, act, outChannels, outOffset, v(r, out));
        }
    }

    public record ChannelsLastToFirst(Ref in, int b, long inner, int c, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, out);
        }

        public void run(Device d, Resolver r) {
            d.channelsLastToFirst(v(r, in), b, inner, c, v(r, out));
        }
    }

    public record ChannelsFirstToLast(Ref in, int b, long inner, int c, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, out);
        }

        public void run(Device d, Resolver r) {
            d.channelsFirstToLast(v(r, in), b, inner, c, v(r, out));
        }
    }

    public record SoftmaxPixels(Ref x, long rows, int n, double temperature, Ref out) implements Op {
        public List<Ref> refs() {
            return list(x, out);
        }

        public void run(Device d, Resolver r) {
            d.softmaxPixels(v(r, x), rows, n, temperature, v(r, out));
        }
    }

    public record Gaussian2kp(Ref heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                              Ref mean, Ref var) implements Op {
        public List<Ref> refs() {
            return list(heat, mean, var);
        }

        public void run(Device dev, Resolver r) {
            dev.gaussian2kp(v(r, heat), b, k, d, h, w, variance, clipVariance, v(r, mean), v(r, var));
        }
    }

    public record KpHeatmapEmbed(Ref drvMean, Ref drvVar, Ref srcMean, Ref srcVar, KpVariance variance, int b, int d,
                                 int k, int h, int w, Double normConst, boolean difference, boolean background,
                                 int outChannels, int slotFeatures, Ref out) implements Op {
        public List<Ref> refs() {
            return list(drvMean, drvVar, srcMean, srcVar, out);
        }

        public void run(Device dev, Resolver r) {
            dev.kpHeatmapEmbed(v(r, drvMean), v(r, drvVar), v(r, srcMean), v(r, srcVar), variance, b, d, k, h, w,
                    normConst, difference, background, outChannels, slotFeatures, v(r, out));
        }
    }

    public record KpDifferenceEmbed(Ref drvMean, Ref srcMean, int b, int d, int k, int h, int w, boolean background,
                                    int outChannels, int slotFeatures, int channel, Ref out) implements Op {
        public List<Ref> refs() {
            return list(drvMean, srcMean, out);
        }

        public void run(Device dev, Resolver r) {
            dev.kpDifferenceEmbed(v(r, drvMean), v(r, srcMean), b, d, k, h, w, background, outChannels, slotFeatures,
                    channel, v(r, out));
        }
    }

    public record DenseMotionFlow(Ref pred, Ref drvMean, Ref srcMean, int b, int cp, int k, int d, int h, int w,
                                  boolean useMask, boolean useCorrection, Ref deformation) implements Op {
        public List<Ref> refs() {
            return list(pred, drvMean, srcMean, deformation);
        }

        public void run(Device dev, Resolver r) {
            dev.denseMotionFlow(v(r, pred), v(r, drvMean), v(r, srcMean), b, cp, k, d, h, w, useMask, useCorrection,
                    null, v(r, deformation));
        }
    }

    public record GridSampleDepth1(Ref in, Ref grid, int n, int c, int h, int w, int od, int ho, int wo,
                                   Padding padding, boolean alignCorners, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, grid, out);
        }

        public void run(Device d, Resolver r) {
            d.gridSampleDepth1(v(r, in), v(r, grid), n, c, h, w, od, ho, wo, padding, alignCorners, v(r, out));
        }
    }

    // ---- First Order Motion Model (FOMM.md) ----

    /** {@link Device#antialias}: FOMM's Gaussian blur (kernel k x k) evaluated every {@code stride} pixels. */
    public record AntiAlias(Ref in, Ref kernel, int planes, int h, int w, int k, int stride, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, kernel, out);
        }

        public void run(Device d, Resolver r) {
            d.antialias(v(r, in), v(r, kernel), planes, h, w, k, stride, v(r, out));
        }
    }

    /** {@link Device#heatmapKeypoints}: keypoint values and (with maps) jacobians of softmaxed heatmaps. */
    public record HeatmapKeypoints(Ref heat, Ref maps, int b, int k, int j, int h, int w, Ref value, Ref jacobian)
            implements Op {
        public List<Ref> refs() {
            return list(heat, maps, value, jacobian);
        }

        public void run(Device d, Resolver r) {
            d.heatmapKeypoints(v(r, heat), v(r, maps), b, k, j, h, w, v(r, value), v(r, jacobian));
        }
    }

    /** {@link Device#sparseMotion}: the identity and one affine backward warp per keypoint. */
    public record SparseMotion(Ref srcValue, Ref srcJacobian, Ref drvValue, Ref drvJacobian, int n, int k, int h, int w,
                               Ref out) implements Op {
        public List<Ref> refs() {
            return list(srcValue, srcJacobian, drvValue, drvJacobian, out);
        }

        public void run(Device d, Resolver r) {
            d.sparseMotion(v(r, srcValue), v(r, srcJacobian), v(r, drvValue), v(r, drvJacobian), n, k, h, w, v(r, out));
        }
    }

    /** {@link Device#combineMotion}: the mask-weighted sum of the sparse motions. */
    public record CombineMotion(Ref mask, Ref motion, int n, int slots, long plane, Ref out) implements Op {
        public List<Ref> refs() {
            return list(mask, motion, out);
        }

        public void run(Device d, Resolver r) {
            d.combineMotion(v(r, mask), v(r, motion), n, slots, plane, v(r, out));
        }
    }

    /** {@link Device#scalePixels}: every channel times a per-pixel weight (the occlusion map). */
    public record ScalePixels(Ref in, Ref weight, int n, int c, long plane, Ref out) implements Op {
        public List<Ref> refs() {
            return list(in, weight, out);
        }

        public void run(Device d, Resolver r) {
            d.scalePixels(v(r, in), v(r, weight), n, c, plane, v(r, out));
        }
    }

    /** {@link Device#softmaxChannels}: softmax over the first channels at every position. */
    public record SoftmaxChannels(Ref x, int b, int cin, int channels, long inner, Ref out) implements Op {
        public List<Ref> refs() {
            return list(x, out);
        }

        public void run(Device d, Resolver r) {
            d.softmaxChannels(v(r, x), b, cin, channels, inner, v(r, out));
        }
    }
}
