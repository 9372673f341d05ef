package io.motionkernels.cuda;

import io.motionkernels.engine.Scales;

import io.motionkernels.engine.Padding;
import static io.motionkernels.cuda.KernelArgs.checkedInt;

import io.motionkernels.engine.Activation;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.tensor.KpVariance;

/**
 * The kernels as Java calls on device memory: each method checks sizes, picks the launch
 * configuration and queues the kernel on the runtime's stream (asynchronously: call
 * {@link CudaRuntime#synchronize()} before reading results). Layouts are PyTorch's, as in
 * {@code io.motionkernels.cpu}; the semantics are those of the CPU operations of the same name.
 */
public final class CudaOps {
    private final CudaRuntime rt;

    public CudaOps(CudaRuntime rt) {
        this.rt = rt;
    }

    public CudaRuntime runtime() {
        return rt;
    }

    static int varKind(KpVariance v) {
        return switch (v.kind()) {
            case MATRIX -> 0;
            case SINGLE -> 1;
            case CONSTANT -> 2;
        };
    }

    static int varSize(KpVariance v) {
        return v.floats();
    }

    /** mean (M, 2) and var (M, 2, 2) / (M) / unused for a constant -> gaussians (M, h, w). */
    public void kp2gaussian(DeviceView mean, DeviceView var, KpVariance variance, int maps, int h, int w, DeviceView out) {
        long n = (long) maps * h * w;
        mean.require("kp2gaussian mean", 2L * maps);
        out.require("kp2gaussian out", n);
        LaunchConfig cfg = LaunchConfig.elementwise(n);
        switch (variance.kind()) {
            case MATRIX -> rt.launch(Kernel.KP2GAUSSIAN_MATRIX, cfg, mean, var.require("kp2gaussian var", 4L * maps), out, maps, h, w);
            case SINGLE -> rt.launch(Kernel.KP2GAUSSIAN_SINGLE, cfg, mean, var.require("kp2gaussian var", maps), out, maps, h, w);
            case CONSTANT -> rt.launch(Kernel.KP2GAUSSIAN_CONSTANT, cfg, mean, (float) variance.constant(), out, maps, h, w);
        }
    }

    /**
     * The heatmap channel of every keypoint slot of a movement embedding, written into {@code out}
     * (B, outChannels, D, h, w) at channel {@code slot * slotFeatures}. Driving keypoints
     * (B, D, K, ...), source keypoints (B, 1, K, ...). {@code normConst} null normalises each map
     * by its sum; {@code background} adds the all-zero slot 0.
     */
    public void kpHeatmapEmbed(DeviceView drvMean, DeviceView drvVar, DeviceView srcMean, DeviceView srcVar,
                               KpVariance variance, int b, int d, int k, int h, int w, Double normConst,
                               boolean difference, boolean background, int outChannels, int slotFeatures, DeviceView out) {
        int slots = k + (background ? 1 : 0);
        if (slots * slotFeatures > outChannels) {
            throw new IllegalArgumentException(slots + " slots of " + slotFeatures + " features exceed " + outChannels + " channels");
        }
        if (normConst != null && !(normConst > 0)) {
            throw new IllegalArgumentException("norm_const must be positive, got " + normConst);
        }
        drvMean.require("driving mean", 2L * b * d * k);
        srcMean.require("source mean", 2L * b * k);
        int vs = varSize(variance);
        DeviceView dv = vs == 0 ? DeviceView.NULL : drvVar.require("driving var", (long) vs * b * d * k);
        DeviceView sv = vs == 0 ? DeviceView.NULL : srcVar.require("source var", (long) vs * b * k);
        out.require("embedding", (long) b * outChannels * d * h * w);
        LaunchConfig cfg = LaunchConfig.perMap((long) b * d * slots, checkedInt("h*w", (long) h * w));
        rt.launch(Kernel.KP_HEATMAP_EMBED, cfg, drvMean, dv, srcMean, sv, out, b, d, k, h, w, varKind(variance),
                (float) variance.constant(), normConst == null ? 0f : normConst.floatValue(), difference ? 1 : 0,
                background ? 1 : 0, outChannels, slotFeatures);
    }

    /** The two difference channels (source - driving mean) of every slot, at slot * slotFeatures + channel. */
    public void kpDifferenceEmbed(DeviceView drvMean, DeviceView srcMean, int b, int d, int k, int h, int w,
                                  boolean background, int outChannels, int slotFeatures, int channel, DeviceView out) {
        int slots = k + (background ? 1 : 0);
        if (channel + 2 > slotFeatures || slots * slotFeatures > outChannels) {
            throw new IllegalArgumentException("difference channels " + channel + "+2 do not fit " + slotFeatures
                    + " features per slot, " + outChannels + " channels");
        }
        drvMean.require("driving mean", 2L * b * d * k);
        srcMean.require("source mean", 2L * b * k);
        out.require("embedding", (long) b * outChannels * d * h * w);
        rt.launch(Kernel.KP_DIFFERENCE_EMBED, LaunchConfig.elementwise((long) b * slots * 2 * d * h * w), drvMean,
                srcMean, out, b, d, k, h, w, background ? 1 : 0, outChannels, slotFeatures, channel);
    }

    /** heat (B, K, D, h, w) -> mean (B, D, K, 2) and var (B, D, K, 2, 2) / (B, D, K) / none. */
    public void gaussian2kp(DeviceView heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                            DeviceView mean, DeviceView var) {
        long maps = (long) b * k * d;
        heat.require("heatmap", maps * h * w);
        mean.require("mean", 2 * maps);
        DeviceView v = variance.hasTensor() ? var.require("var", varSize(variance) * maps) : DeviceView.NULL;
        float clip = clipVariance == null ? 0f : clipVariance.floatValue();
        rt.launch(Kernel.GAUSSIAN2KP, LaunchConfig.perMap(maps, checkedInt("h*w", (long) h * w)), heat, mean, v, b, k, d,
                h, w, varKind(variance), clip);
    }

    /** softmax(x / temperature) over each row of n values; rows = B*C*D, n = h*w. */
    public void softmaxPixels(DeviceView x, long rows, int n, double temperature, DeviceView out) {
        x.require("softmax input", rows * n);
        out.require("softmax output", rows * n);
        rt.launch(Kernel.SOFTMAX_PIXELS, LaunchConfig.perMap(rows, n), x, out, checkedInt("rows", rows), n, (float) temperature);
    }

    /** Softmax over channels [0, channels) of x (B, cin, inner) -> out (B, channels, inner). */
    public void softmaxChannels(DeviceView x, int b, int cin, int channels, long inner, DeviceView out) {
        if (channels > cin) {
            throw new IllegalArgumentException("softmax over " + channels + " of " + cin + " channels");
        }
        x.require("softmax input", (long) b * cin * inner);
        out.require("softmax output", (long) b * channels * inner);
        rt.launch(Kernel.SOFTMAX_CHANNELS, LaunchConfig.elementwise((long) b * inner), x, out, b, cin, channels, inner);
    }

    /**
     * The dense-motion tail: pred (B, cp, D, h, w) -> deformation (B, D, h, w, 3); the mask
     * (B, K+1, D, h, w) is also written when {@code mask} is not {@link DeviceView#NULL}.
     */
    public void denseMotionFlow(DeviceView pred, DeviceView drvMean, DeviceView srcMean, int b, int cp, int k, int d,
                                int h, int w, boolean useMask, boolean useCorrection, DeviceView mask, DeviceView deformation) {
        int needed = (useMask ? k + 1 : 0) + (useCorrection ? 2 : 0);
        if (needed > cp) {
            throw new IllegalArgumentException("prediction has " + cp + " channels, mask and correction need " + needed);
        }
        long inner = (long) d * h * w;
        pred.require("prediction", b * cp * inner);
        drvMean.require("driving mean", 2L * b * d * k);
        srcMean.require("source mean", 2L * b * k);
        mask.require("mask", (long) b * (k + 1) * inner);
        deformation.require("deformation", 3L * b * inner);
        rt.launch(Kernel.DENSE_MOTION_FLOW, LaunchConfig.elementwise(b * inner), pred, drvMean, srcMean, mask,
                deformation, b, cp, k, d, h, w, useMask ? 1 : 0, useCorrection ? 1 : 0);
    }

    /** input (n, c, h, w), grid (n, ho, wo, 2) -> (n, c, ho, wo). */
    public void gridSample2d(DeviceView in, DeviceView grid, int n, int c, int h, int w, int ho, int wo,
                             Padding padding, boolean alignCorners, DeviceView out) {
        long pts = (long) n * ho * wo;
        in.require("grid_sample input", (long) n * c * h * w);
        grid.require("grid", 2 * pts);
        out.require("grid_sample output", pts * c);
        rt.launch(Kernel.GRID_SAMPLE_2D, LaunchConfig.elementwise(pts), in, grid, out, n, c, h, w, ho, wo,
                padding.ordinal(), alignCorners ? 1 : 0);
    }

    /** input (n, c, d, h, w), grid (n, do, ho, wo, 3) -> (n, c, do, ho, wo). */
    public void gridSample3d(DeviceView in, DeviceView grid, int n, int c, int d, int h, int w, int od, int ho, int wo,
                             Padding padding, boolean alignCorners, DeviceView out) {
        long pts = (long) n * od * ho * wo;
        in.require("grid_sample input", (long) n * c * d * h * w);
        grid.require("grid", 3 * pts);
        out.require("grid_sample output", pts * c);
        rt.launch(Kernel.GRID_SAMPLE_3D, LaunchConfig.elementwise(pts), in, grid, out, n, c, d, h, w, od, ho, wo,
                padding.ordinal(), alignCorners ? 1 : 0);
    }

    /** The model's one-frame source: input (n, c, 1, h, w), grid (n, do, ho, wo, 3) -> (n, c, do, ho, wo). */
    public void gridSampleDepth1(DeviceView in, DeviceView grid, int n, int c, int h, int w, int od, int ho, int wo,
                                 Padding padding, boolean alignCorners, DeviceView out) {
        long pts = (long) n * od * ho * wo;
        in.require("grid_sample input", (long) n * c * h * w);
        grid.require("grid", 3 * pts);
        out.require("grid_sample output", pts * c);
        rt.launch(Kernel.GRID_SAMPLE_DEPTH1, LaunchConfig.elementwise(pts), in, grid, out, n, c, h, w, od, ho, wo,
                padding.ordinal(), alignCorners ? 1 : 0);
    }

    /** Nearest interpolation of nc volumes (di, hi, wi) -> (od, ho, wo) with {@link Scales#nearest} scales. */
    public void interpolateNearest(DeviceView in, int nc, int di, int hi, int wi, int od, int ho, int wo,
                                   float sd, float sh, float sw, DeviceView out) {
        in.require("interpolate input", (long) nc * di * hi * wi);
        long n = (long) nc * od * ho * wo;
        out.require("interpolate output", n);
        rt.launch(Kernel.INTERP_NEAREST, LaunchConfig.elementwise(n), in, out, nc, di, hi, wi, od, ho, wo, sd, sh, sw);
    }

    /** Trilinear interpolation (align_corners = false) with {@link Scales#linear} scales. */
    public void interpolateTrilinear(DeviceView in, int nc, int di, int hi, int wi, int od, int ho, int wo,
                                     float rd, float rh, float rw, DeviceView out) {
        in.require("interpolate input", (long) nc * di * hi * wi);
        long n = (long) nc * od * ho * wo;
        out.require("interpolate output", n);
        rt.launch(Kernel.INTERP_TRILINEAR, LaunchConfig.elementwise(n), in, out, nc, di, hi, wi, od, ho, wo, rd, rh, rw);
    }

    /** planes of (h, w) -> (h/2, w/2), floor. */
    public void avgPool2x2(DeviceView in, long planes, int h, int w, DeviceView out) {
        in.require("pool input", planes * h * w);
        long n = planes * (h / 2) * (w / 2);
        out.require("pool output", n);
        rt.launch(Kernel.AVG_POOL_2X2, LaunchConfig.elementwise(n), in, out, planes, h, w);
    }

    /**
     * out[b, outOffset + c] = act(in[b, c] * scale[c] + shift[c]) for in (b, c, inner) and out
     * (b, outChannels, inner); scale and shift may be {@link DeviceView#NULL}.
     */
    public void channelAffine(DeviceView in, DeviceView scale, DeviceView shift, int b, int c, long inner,
                              Activation act, int outChannels, int outOffset, DeviceView out) {
        if (outOffset < 0 || outOffset + c > outChannels) {
            throw new IllegalArgumentException("channels [" + outOffset + ", " + (outOffset + c) + ") outside " + outChannels);
        }
        in.require("input", (long) b * c * inner);
        scale.require("scale", c);
        shift.require("shift", c);
        out.require("output", (long) b * outChannels * inner);
        rt.launch(Kernel.CHANNEL_AFFINE_ACT, LaunchConfig.elementwise((long) b * c * inner), in, scale, shift, out, b, c,
                inner, act.ordinal(), outChannels, outOffset);
    }

    /** out = act(a + b) over n values. */
    public void addAct(DeviceView a, DeviceView b, long n, Activation act, DeviceView out) {
        a.require("a", n);
        b.require("b", n);
        out.require("out", n);
        rt.launch(Kernel.ADD_ACT, LaunchConfig.elementwise(n), a, b, out, n, act.ordinal());
    }

    /** (b, inner, c) -> (b, c, inner). */
    public void channelsLastToFirst(DeviceView in, int b, long inner, int c, DeviceView out) {
        long n = (long) b * inner * c;
        in.require("input", n);
        out.require("output", n);
        rt.launch(Kernel.CHANNELS_LAST_TO_FIRST, LaunchConfig.elementwise(n), in, out, b, inner, c);
    }

    /** (b, c, inner) -> (b, inner, c). */
    public void channelsFirstToLast(DeviceView in, int b, long inner, int c, DeviceView out) {
        long n = (long) b * inner * c;
        in.require("input", n);
        out.require("output", n);
        rt.launch(Kernel.CHANNELS_FIRST_TO_LAST, LaunchConfig.elementwise(n), in, out, b, inner, c);
    }

    // ---- First Order Motion Model (kernels/fomm.cu; semantics of cpu.FommKernels) ----

    /** planes (h, w) blurred by the k x k kernel, zero padding, sampled every stride pixels. */
    public void antialias(DeviceView in, DeviceView kernel, int planes, int h, int w, int k, int stride, DeviceView out) {
        if (k <= 0 || k % 2 == 0 || stride <= 0) {
            throw new IllegalArgumentException("antialias needs an odd kernel size and a positive stride, got " + k
                    + " and " + stride);
        }
        int ho = (h + stride - 1) / stride;
        int wo = (w + stride - 1) / stride;
        in.require("antialias input", (long) planes * h * w);
        kernel.require("antialias kernel", (long) k * k);
        long n = (long) planes * ho * wo;
        out.require("antialias output", n);
        rt.launch(Kernel.ANTIALIAS, LaunchConfig.elementwise(n), in, kernel, out, planes, h, w, k, stride);
    }

    /** heat (b, k, h, w) -> value (b, k, 2) and, with maps (b, 4j, h, w), jacobian (b, k, 4). */
    public void heatmapKeypoints(DeviceView heat, DeviceView maps, int b, int k, int j, int h, int w, DeviceView value,
                                 DeviceView jacobian) {
        boolean hasMaps = maps != DeviceView.NULL;
        if (hasMaps && j != 1 && j != k) {
            throw new IllegalArgumentException("jacobian maps must be 1 or " + k + ", got " + j);
        }
        long plane = (long) h * w;
        heat.require("heatmap", (long) b * k * plane);
        value.require("keypoint values", 2L * b * k);
        if (hasMaps) {
            maps.require("jacobian maps", 4L * b * j * plane);
            jacobian.require("jacobians", 4L * b * k);
        }
        rt.launch(Kernel.HEATMAP_KEYPOINTS, LaunchConfig.perMap((long) b * k, checkedInt("h*w", plane)), heat, maps,
                value, hasMaps ? jacobian : DeviceView.NULL, b, k, j, h, w, hasMaps ? 1 : 0);
    }

    /** out (n, k+1, h, w, 3): identity, then A_i (z - drv_i) + src_i, A_i = J_src,i J_drv,i^-1. */
    public void sparseMotion(DeviceView srcValue, DeviceView srcJacobian, DeviceView drvValue, DeviceView drvJacobian,
                             int n, int k, int h, int w, DeviceView out) {
        boolean jac = srcJacobian != DeviceView.NULL;
        if (jac != (drvJacobian != DeviceView.NULL)) {
            throw new IllegalArgumentException("sparse motion needs both jacobians or neither");
        }
        srcValue.require("source values", 2L * n * k);
        drvValue.require("driving values", 2L * n * k);
        srcJacobian.require("source jacobians", 4L * n * k);
        drvJacobian.require("driving jacobians", 4L * n * k);
        long pts = (long) n * (k + 1) * h * w;
        out.require("sparse motion", 3 * pts);
        rt.launch(Kernel.SPARSE_MOTION, LaunchConfig.elementwise(pts), srcValue, srcJacobian, drvValue, drvJacobian,
                out, n, k, h, w, jac ? 1 : 0);
    }

    /** out (n, plane, 3) = sum over slots of mask (n, slots, plane) * motion (n, slots, plane, 3). */
    public void combineMotion(DeviceView mask, DeviceView motion, int n, int slots, long plane, DeviceView out) {
        mask.require("mask", (long) n * slots * plane);
        motion.require("sparse motion", 3L * n * slots * plane);
        out.require("deformation", 3L * n * plane);
        rt.launch(Kernel.COMBINE_MOTION, LaunchConfig.elementwise((long) n * plane), mask, motion, out, n, slots, plane);
    }

    /** out (n, c, plane) = in * weight (n, plane). */
    public void scalePixels(DeviceView in, DeviceView weight, int n, int c, long plane, DeviceView out) {
        long total = (long) n * c * plane;
        in.require("input", total);
        weight.require("weight", (long) n * plane);
        out.require("output", total);
        rt.launch(Kernel.SCALE_PIXELS, LaunchConfig.elementwise(total), in, weight, out, n, c, plane);
    }
}
