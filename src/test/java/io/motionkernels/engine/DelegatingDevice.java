package io.motionkernels.engine;

import io.motionkernels.tensor.KpVariance;

/**
 * A {@link Device} that passes every call to another one: the op harness lends its devices to
 * one {@link Executor} per case through it (an executor closes its device; {@link #borrowed}
 * does not pass that on), and the harness's own test overrides single operations with it to
 * make a device that is wrong in a known way.
 */
public class DelegatingDevice implements Device {
    protected final Device inner;

    public DelegatingDevice(Device inner) {
        this.inner = inner;
    }

    /** {@code device} for one executor: everything passes through except {@link #close}. */
    public static Device borrowed(Device device) {
        return new DelegatingDevice(device) {
            @Override
            public void close() {
            }
        };
    }

    @Override
    public void bindThread() {
        inner.bindThread();
    }

    @Override
    public Buffer allocate(long floats) {
        return inner.allocate(floats);
    }

    @Override
    public void upload(float[] host, View dst) {
        inner.upload(host, dst);
    }

    @Override
    public void download(View src, float[] host) {
        inner.download(src, host);
    }

    @Override
    public void fill(View dst, float value) {
        inner.fill(dst, value);
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public Conv prepareConv(ConvSpec spec) {
        return inner.prepareConv(spec);
    }

    @Override
    public long convWorkspaceFloats(Conv conv, int n, int h, int w, int up, boolean residual, int yChannels) {
        return inner.convWorkspaceFloats(conv, n, h, w, up, residual, yChannels);
    }

    @Override
    public void conv(Conv conv, View x, int n, int h, int w, int up, View residual, View y, int yChannels, int yOffset,
                     View workspace) {
        inner.conv(conv, x, n, h, w, up, residual, y, yChannels, yOffset, workspace);
    }

    @Override
    public void copyStrided(View src, int[] dims, long[] srcStrides, View dst, long[] dstStrides) {
        inner.copyStrided(src, dims, srcStrides, dst, dstStrides);
    }

    @Override
    public Replay capture(Runnable work) {
        return inner.capture(work);
    }

    @Override
    public void interpolateNearest(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float sd,
                                   float sh, float sw, View out) {
        inner.interpolateNearest(in, nc, di, hi, wi, od, ho, wo, sd, sh, sw, out);
    }

    @Override
    public void interpolateTrilinear(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd,
                                     float rh, float rw, View out) {
        inner.interpolateTrilinear(in, nc, di, hi, wi, od, ho, wo, rd, rh, rw, out);
    }

    @Override
    public void avgPool2x2(View in, long planes, int h, int w, View out) {
        inner.avgPool2x2(in, planes, h, w, out);
    }

    @Override
    public void channelAffine(View in, View scale, View shift, int b, int c, long inner, Activation act,
                              int outChannels, int outOffset, View out) {
        this.inner.channelAffine(in, scale, shift, b, c, inner, act, outChannels, outOffset, out);
    }

    @Override
    public void channelsLastToFirst(View in, int b, long inner, int c, View out) {
        this.inner.channelsLastToFirst(in, b, inner, c, out);
    }

    @Override
    public void channelsFirstToLast(View in, int b, long inner, int c, View out) {
        this.inner.channelsFirstToLast(in, b, inner, c, out);
    }

    @Override
    public void softmaxPixels(View x, long rows, int n, double temperature, View out) {
        inner.softmaxPixels(x, rows, n, temperature, out);
    }

    @Override
    public void gaussian2kp(View heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                            View mean, View var) {
        inner.gaussian2kp(heat, b, k, d, h, w, variance, clipVariance, mean, var);
    }

    @Override
    public void kpHeatmapEmbed(View drvMean, View drvVar, View srcMean, View srcVar, KpVariance variance, int b, int d,
                               int k, int h, int w, Double normConst, boolean difference, boolean background,
                               int outChannels, int slotFeatures, View out) {
        inner.kpHeatmapEmbed(drvMean, drvVar, srcMean, srcVar, variance, b, d, k, h, w, normConst, difference,
                background, outChannels, slotFeatures, out);
    }

    @Override
    public void kpDifferenceEmbed(View drvMean, View srcMean, int b, int d, int k, int h, int w, boolean background,
                                  int outChannels, int slotFeatures, int channel, View out) {
        inner.kpDifferenceEmbed(drvMean, srcMean, b, d, k, h, w, background, outChannels, slotFeatures, channel, out);
    }

    @Override
    public void denseMotionFlow(View pred, View drvMean, View srcMean, int b, int cp, int k, int d, int h, int w,
                                boolean useMask, boolean useCorrection, View mask, View deformation) {
        inner.denseMotionFlow(pred, drvMean, srcMean, b, cp, k, d, h, w, useMask, useCorrection, mask, deformation);
    }

    @Override
    public void gridSampleDepth1(View in, View grid, int n, int c, int h, int w, int od, int ho, int wo,
                                 Padding padding, boolean alignCorners, View out) {
        inner.gridSampleDepth1(in, grid, n, c, h, w, od, ho, wo, padding, alignCorners, out);
    }

    @Override
    public void antialias(View in, View kernel, int planes, int h, int w, int k, int stride, View out) {
        inner.antialias(in, kernel, planes, h, w, k, stride, out);
    }

    @Override
    public void heatmapKeypoints(View heat, View maps, int b, int k, int j, int h, int w, View value, View jacobian) {
        inner.heatmapKeypoints(heat, maps, b, k, j, h, w, value, jacobian);
    }

    @Override
    public void sparseMotion(View srcValue, View srcJacobian, View drvValue, View drvJacobian, int n, int k, int h,
                             int w, View out) {
        inner.sparseMotion(srcValue, srcJacobian, drvValue, drvJacobian, n, k, h, w, out);
    }

    @Override
    public void combineMotion(View mask, View motion, int n, int slots, long plane, View out) {
        inner.combineMotion(mask, motion, n, slots, plane, out);
    }

    @Override
    public void scalePixels(View in, View weight, int n, int c, long plane, View out) {
        inner.scalePixels(in, weight, n, c, plane, out);
    }

    @Override
    public void softmaxChannels(View x, int b, int cin, int channels, long inner, View out) {
        this.inner.softmaxChannels(x, b, cin, channels, inner, out);
    }

    @Override
    public void close() {
        inner.close();
    }
}
