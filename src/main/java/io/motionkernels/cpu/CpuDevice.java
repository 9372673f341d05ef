package io.motionkernels.cpu;

import io.motionkernels.engine.Activation;
import io.motionkernels.engine.ConvSpec;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.Padding;
import io.motionkernels.engine.Scales;
import io.motionkernels.engine.View;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CPU {@link Device}: heap arrays as memory (an arena is one float[], views into it alias
 * exactly as device pointers would), the operations of this package as kernels (convolutions,
 * pooling, softmax, grid_sample and the keypoint operations run on the arena in place; they are
 * the reference every CUDA kernel is checked against), and {@link #capture} as a recorded list of
 * calls, so that the executor's replay logic runs wherever the tests run. Work runs when queued.
 */
public final class CpuDevice implements Device {
    /**
     * The driving and source heatmaps of {@link #kpHeatmapEmbed}, per thread and grown as needed:
     * fresh arrays there were most of what a streamed frame allocated.
     */
    private static final ThreadLocal<float[][]> HEATMAPS = ThreadLocal.withInitial(() -> new float[2][]);

    private List<Runnable> capturing;
    private boolean closed;

    private static float[] arr(View v) {
        if (!(v.storage() instanceof float[] a)) {
            throw new IllegalArgumentException("not a CPU view: " + v.storage().getClass().getSimpleName());
        }
        if (v.offset() + v.floats() > a.length) {
            throw new IndexOutOfBoundsException("view past its buffer");
        }
        return a;
    }

    private static int off(View v) {
        return Math.toIntExact(v.offset());
    }

    /** A copy of the first n floats of v (for the small keypoint-sized operands). */
    private static float[] read(View v, long n) {
        v.require("input", n);
        int o = off(v);
        return Arrays.copyOfRange(arr(v), o, o + Math.toIntExact(n));
    }

    private void q(Runnable r) {
        if (closed) {
            throw new IllegalStateException("device closed");
        }
        if (capturing != null) {
            capturing.add(r);
        } else {
            r.run();
        }
    }

    @Override
    public void bindThread() {
    }

    @Override
    public Buffer allocate(long floats) {
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a CPU buffer holds at most " + (Integer.MAX_VALUE - 8) + " floats, "
                    + floats + " were asked for: use fewer frames per call");
        }
        float[] a = new float[(int) floats];
        View v = new View(a, 0, floats);
        return new Buffer() {
            @Override
            public View view() {
                return v;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void upload(float[] host, View dst) {
        if (capturing != null) {
            throw new IllegalStateException("upload during graph capture");
        }
        dst.require("upload", host.length);
        System.arraycopy(host, 0, arr(dst), off(dst), host.length);
    }

    @Override
    public void download(View src, float[] host) {
        if (capturing != null) {
            throw new IllegalStateException("download during graph capture");
        }
        src.require("download", host.length);
        System.arraycopy(arr(src), off(src), host, 0, host.length);
    }

    @Override
    public void fill(View dst, float value) {
        q(() -> Arrays.fill(arr(dst), off(dst), off(dst) + Math.toIntExact(dst.floats()), value));
    }

    @Override
    public void synchronize() {
    }

    private record CpuConv(ConvSpec spec, Conv2d conv) implements Conv {
        @Override
        public void close() {
        }
    }

    @Override
    public Conv prepareConv(ConvSpec s) {
        return new CpuConv(s, Conv2d.of(s.weight(), s.bias(), s.cout(), s.cin(), s.k(), s.k(), s.groups())
                .withActivation(s.activation()));
    }

    @Override
    public long convWorkspaceFloats(Conv conv, int n, int h, int w, int up, boolean residual, int yChannels) {
        return 0; // the CPU kernels keep their scratch in per-thread pools
    }

    @Override
    public void conv(Conv conv, View x, int n, int h, int w, int up, View residual, View y, int yChannels, int yOffset,
                     View workspace) {
        CpuConv c = (CpuConv) conv;
        ConvSpec s = c.spec();
        long plane = (long) h * w * up * up;
        x.require("conv input", (long) n * s.cin() * h * w);
        y.require("conv output", (long) n * yChannels * plane);
        View.require(residual, "conv residual", (long) n * s.cout() * plane);
        // frames-major (n, c, h, w) is n batch items of one frame each
        q(() -> c.conv().run(arr(x), off(x), n, 1, h, w, up, arr(y), off(y), yChannels, yOffset,
                residual == null ? null : arr(residual), residual == null ? 0 : off(residual)));
    }

    @Override
    public void copyStrided(View src, int[] dims, long[] srcStrides, View dst, long[] dstStrides) {
        long srcEnd = 1;
        long dstEnd = 1;
        for (int i = 0; i < 4; i++) {
            srcEnd += (dims[i] - 1L) * srcStrides[i];
            dstEnd += (dims[i] - 1L) * dstStrides[i];
        }
        src.require("strided source", srcEnd);
        dst.require("strided destination", dstEnd);
        q(() -> {
            float[] s = arr(src);
            float[] d = arr(dst);
            int rows = dims[0] * dims[1] * dims[2];
            Parallel.forRange(rows, 2L * dims[3], r -> {
                int a = r / (dims[1] * dims[2]);
                int b = r / dims[2] % dims[1];
                int c = r % dims[2];
                long si = src.offset() + a * srcStrides[0] + b * srcStrides[1] + c * srcStrides[2];
                long di = dst.offset() + a * dstStrides[0] + b * dstStrides[1] + c * dstStrides[2];
                if (srcStrides[3] == 1 && dstStrides[3] == 1) {
                    System.arraycopy(s, (int) si, d, (int) di, dims[3]);
                } else {
                    for (int e = 0; e < dims[3]; e++) {
                        d[(int) (di + e * dstStrides[3])] = s[(int) (si + e * srcStrides[3])];
                    }
                }
            });
        });
    }

    @Override
    public Replay capture(Runnable work) {
        if (capturing != null) {
            throw new IllegalStateException("nested capture");
        }
        List<Runnable> recorded = new ArrayList<>();
        capturing = recorded;
        try {
            work.run();
        } finally {
            capturing = null;
        }
        return new Replay() {
            @Override
            public void launch() {
                recorded.forEach(Runnable::run);
            }

            @Override
            public void close() {
                recorded.clear();
            }
        };
    }

    // ---- kernels ----

    @Override
    public void interpolateNearest(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float sd,
                                   float sh, float sw, View out) {
        in.require("interpolate input", (long) nc * di * hi * wi);
        out.require("interpolate output", (long) nc * od * ho * wo);
        q(() -> {
            float[] x = arr(in);
            float[] o = arr(out);
            int ib = off(in);
            int ob = off(out);
            int[] cols = new int[wo];
            for (int j = 0; j < wo; j++) {
                cols[j] = Scales.nearestSource(j, sw, wi);
            }
            Parallel.forRange(nc * od, 2L * ho * wo, cd -> {
                int c = cd / od;
                int d = cd % od;
                int src = ib + (c * di + Scales.nearestSource(d, sd, di)) * hi * wi;
                int dst = ob + cd * ho * wo;
                for (int i = 0; i < ho; i++) {
                    int row = src + Scales.nearestSource(i, sh, hi) * wi;
                    for (int j = 0; j < wo; j++) {
                        o[dst++] = x[row + cols[j]];
                    }
                }
            });
        });
    }

    @Override
    public void interpolateTrilinear(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd,
                                     float rh, float rw, View out) {
        in.require("interpolate input", (long) nc * di * hi * wi);
        out.require("interpolate output", (long) nc * od * ho * wo);
        q(() -> Interpolate.trilinear(arr(in), off(in), nc, di, hi, wi, od, ho, wo, rd, rh, rw, arr(out), off(out)));
    }

    @Override
    public void avgPool2x2(View in, long planes, int h, int w, View out) {
        in.require("pool input", planes * h * w);
        out.require("pool output", planes * (h / 2) * (w / 2));
        q(() -> Pool.avgPool2x2(arr(in), off(in), Math.toIntExact(planes), h, w, arr(out), off(out)));
    }

    @Override
    public void channelAffine(View in, View scale, View shift, int b, int c, long inner, Activation act,
                              int outChannels, int outOffset, View out) {
        if (outOffset < 0 || outOffset + c > outChannels) {
            throw new IllegalArgumentException("channels [" + outOffset + ", " + (outOffset + c) + ") outside " + outChannels);
        }
        in.require("input", (long) b * c * inner);
        View.require(scale, "scale", c);
        View.require(shift, "shift", c);
        out.require("output", (long) b * outChannels * inner);
        q(() -> Elementwise.affineChannels(arr(in), off(in), scale == null ? null : arr(scale),
                scale == null ? 0 : off(scale), shift == null ? null : arr(shift), shift == null ? 0 : off(shift), b, c,
                Math.toIntExact(inner), act, arr(out), off(out), outChannels, outOffset));
    }

    @Override
    public void channelsLastToFirst(View in, int b, long inner, int c, View out) {
        transpose(in, b, inner, c, out, true);
    }

    @Override
    public void channelsFirstToLast(View in, int b, long inner, int c, View out) {
        transpose(in, b, inner, c, out, false);
    }

    private void transpose(View in, int b, long inner, int c, View out, boolean toFirst) {
        long n = (long) b * inner * c;
        in.require("input", n);
        out.require("output", n);
        q(() -> {
            float[] x = arr(in);
            float[] o = arr(out);
            int ib = off(in);
            int ob = off(out);
            int m = Math.toIntExact(inner);
            Parallel.forRange(b * c, 2L * m, bc -> {
                int bi = bc / c;
                int ci = bc % c;
                int first = (bi * c + ci) * m;
                int last = bi * m * c + ci;
                if (toFirst) {
                    for (int p = 0; p < m; p++) {
                        o[ob + first + p] = x[ib + last + p * c];
                    }
                } else {
                    for (int p = 0; p < m; p++) {
                        o[ob + last + p * c] = x[ib + first + p];
                    }
                }
            });
        });
    }

    @Override
    public void softmaxPixels(View x, long rows, int n, double temperature, View out) {
        x.require("softmax input", rows * n);
        out.require("softmax output", rows * n);
        q(() -> Softmax.overPixels(arr(x), off(x), Math.toIntExact(rows), n, temperature, arr(out), off(out)));
    }

    private static Tensor var(float[] v, KpVariance variance, int b, int d, int k) {
        if (v == null) {
            return null;
        }
        return variance.kind() == KpVariance.Kind.MATRIX ? Tensor.of(v, b, d, k, 2, 2) : Tensor.of(v, b, d, k, 1, 1);
    }

    @Override
    public void gaussian2kp(View heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                            View mean, View var) {
        long maps = (long) b * k * d;
        heat.require("heatmap", maps * h * w);
        mean.require("mean", 2 * maps);
        if (variance.hasTensor()) {
            var.require("var", variance.floats() * maps);
        }
        q(() -> KeypointOps.gaussian2kp(arr(heat), off(heat), b, k, d, h, w, variance, clipVariance, arr(mean), off(mean),
                variance.hasTensor() ? arr(var) : null, variance.hasTensor() ? off(var) : 0));
    }

    @Override
    public void kpHeatmapEmbed(View drvMean, View drvVar, View srcMean, View srcVar, KpVariance variance, int b, int d,
                               int k, int h, int w, Double normConst, boolean difference, boolean background,
                               int outChannels, int slotFeatures, View out) {
        int bg = background ? 1 : 0;
        if ((k + bg) * slotFeatures > outChannels) {
            throw new IllegalArgumentException("slots exceed channels");
        }
        int vs = variance.floats();
        drvMean.require("driving mean", 2L * b * d * k);
        srcMean.require("source mean", 2L * b * k);
        if (vs > 0) {
            drvVar.require("driving var", (long) vs * b * d * k);
            srcVar.require("source var", (long) vs * b * k);
        }
        out.require("embedding", (long) b * outChannels * d * h * w);
        q(() -> {
            float[][] heat = HEATMAPS.get();
            float[] dv = heat[0] = KeypointOps.normalizedHeatmaps(new Keypoints(Tensor.of(read(drvMean, 2L * b * d * k), b, d, k, 2),
                    var(vs == 0 ? null : read(drvVar, (long) vs * b * d * k), variance, b, d, k)), h, w, variance, normConst,
                    heat[0]);
            float[] sv = !difference ? null : (heat[1] = KeypointOps.normalizedHeatmaps(new Keypoints(
                    Tensor.of(read(srcMean, 2L * b * k), b, 1, k, 2),
                    var(vs == 0 ? null : read(srcVar, (long) vs * b * k), variance, b, 1, k)), h, w, variance, normConst,
                    heat[1]));
            float[] o = arr(out);
            int plane = h * w;
            Parallel.forRange(b * d * (k + bg), 2L * plane, t -> {
                int slot = t % (k + bg);
                int di = t / (k + bg) % d;
                int bi = t / (k + bg) / d;
                long to = out.offset() + (((long) bi * outChannels + (long) slot * slotFeatures) * d + di) * plane;
                int kk = slot - bg;
                if (kk < 0) {
                    Arrays.fill(o, (int) to, (int) to + plane, 0f);
                    return;
                }
                int from = ((bi * d + di) * k + kk) * plane;
                int sFrom = (bi * k + kk) * plane;
                for (int p = 0; p < plane; p++) {
                    o[(int) (to + p)] = sv == null ? dv[from + p] : dv[from + p] - sv[sFrom + p];
                }
            });
        });
    }

    @Override
    public void kpDifferenceEmbed(View drvMean, View srcMean, int b, int d, int k, int h, int w, boolean background,
                                  int outChannels, int slotFeatures, int channel, View out) {
        int bg = background ? 1 : 0;
        if (channel + 2 > slotFeatures || (k + bg) * slotFeatures > outChannels) {
            throw new IllegalArgumentException("difference channels do not fit");
        }
        drvMean.require("driving mean", 2L * b * d * k);
        srcMean.require("source mean", 2L * b * k);
        out.require("embedding", (long) b * outChannels * d * h * w);
        q(() -> {
            float[] dm = arr(drvMean);
            float[] sm = arr(srcMean);
            int dOff = off(drvMean);
            int sOff = off(srcMean);
            float[] o = arr(out);
            int plane = h * w;
            for (int bi = 0; bi < b; bi++) {
                for (int slot = 0; slot < k + bg; slot++) {
                    for (int xy = 0; xy < 2; xy++) {
                        for (int di = 0; di < d; di++) {
                            int kk = slot - bg;
                            float v = kk < 0 ? 0f
                                    : sm[sOff + (bi * k + kk) * 2 + xy] - dm[dOff + ((bi * d + di) * k + kk) * 2 + xy];
                            long c = (long) slot * slotFeatures + channel + xy;
                            long to = out.offset() + (((long) bi * outChannels + c) * d + di) * plane;
                            Arrays.fill(o, (int) to, (int) to + plane, v);
                        }
                    }
                }
            }
        });
    }

    @Override
    public void denseMotionFlow(View pred, View drvMean, View srcMean, int b, int cp, int k, int d, int h, int w,
                                boolean useMask, boolean useCorrection, View mask, View deformation) {
        int needed = (useMask ? k + 1 : 0) + (useCorrection ? 2 : 0);
        if (needed > cp) {
            throw new IllegalArgumentException("prediction has " + cp + " channels, needs " + needed);
        }
        long inner = (long) d * h * w;
        View.require(pred, "prediction", b * cp * inner);
        View.require(drvMean, "driving mean", 2L * b * d * k);
        View.require(srcMean, "source mean", 2L * b * k);
        if (mask != null) {
            throw new UnsupportedOperationException("the graphs never ask for the mask");
        }
        deformation.require("deformation", 3L * b * inner);
        q(() -> DenseMotionFlow.flow(pred == null ? null : arr(pred), pred == null ? 0 : off(pred),
                drvMean == null ? null : arr(drvMean), drvMean == null ? 0 : off(drvMean),
                srcMean == null ? null : arr(srcMean), srcMean == null ? 0 : off(srcMean), b, cp, k, d, h, w, useMask,
                useCorrection, arr(deformation), off(deformation)));
    }

    @Override
    public void gridSampleDepth1(View in, View grid, int n, int c, int h, int w, int od, int ho, int wo,
                                 Padding padding, boolean alignCorners, View out) {
        long pts = (long) n * od * ho * wo;
        in.require("grid_sample input", (long) n * c * h * w);
        grid.require("grid", 3 * pts);
        out.require("grid_sample output", pts * c);
        q(() -> GridSample.sampleDepth1(arr(in), off(in), n, c, h, w, arr(grid), off(grid), od, ho, wo, padding,
                alignCorners, arr(out), off(out)));
    }

    // ---- First Order Motion Model ----

    private static float[] arrOrNull(View v) {
        return v == null ? null : arr(v);
    }

    private static int offOrZero(View v) {
        return v == null ? 0 : off(v);
    }

    @Override
    public void antialias(View in, View kernel, int planes, int h, int w, int k, int stride, View out) {
        if (k <= 0 || k % 2 == 0 || stride <= 0) {
            throw new IllegalArgumentException("antialias needs an odd kernel size and a positive stride, got " + k
                    + " and " + stride);
        }
        in.require("antialias input", (long) planes * h * w);
        kernel.require("antialias kernel", (long) k * k);
        out.require("antialias output", (long) planes * FommKernels.antialiasOutput(h, stride)
                * FommKernels.antialiasOutput(w, stride));
        q(() -> FommKernels.antialias(arr(in), off(in), planes, h, w, arr(kernel), off(kernel), k, stride, arr(out),
                off(out)));
    }

    @Override
    public void heatmapKeypoints(View heat, View maps, int b, int k, int j, int h, int w, View value, View jacobian) {
        if (maps != null && j != 1 && j != k) {
            throw new IllegalArgumentException("jacobian maps must be 1 or " + k + ", got " + j);
        }
        long plane = (long) h * w;
        heat.require("heatmap", (long) b * k * plane);
        value.require("keypoint values", 2L * b * k);
        if (maps != null) {
            maps.require("jacobian maps", 4L * b * j * plane);
            jacobian.require("jacobians", 4L * b * k);
        }
        q(() -> FommKernels.heatmapKeypoints(arr(heat), off(heat), arrOrNull(maps), offOrZero(maps), b, k, j, h, w,
                arr(value), off(value), maps == null ? null : arr(jacobian), maps == null ? 0 : off(jacobian)));
    }

    @Override
    public void sparseMotion(View srcValue, View srcJacobian, View drvValue, View drvJacobian, int n, int k, int h,
                             int w, View out) {
        if ((srcJacobian == null) != (drvJacobian == null)) {
            throw new IllegalArgumentException("sparse motion needs both jacobians or neither");
        }
        srcValue.require("source values", 2L * n * k);
        drvValue.require("driving values", 2L * n * k);
        View.require(srcJacobian, "source jacobians", 4L * n * k);
        View.require(drvJacobian, "driving jacobians", 4L * n * k);
        out.require("sparse motion", 3L * n * (k + 1) * h * w);
        q(() -> FommKernels.sparseMotion(arr(srcValue), off(srcValue), arrOrNull(srcJacobian), offOrZero(srcJacobian),
                arr(drvValue), off(drvValue), arrOrNull(drvJacobian), offOrZero(drvJacobian), n, k, h, w, arr(out),
                off(out)));
    }

    @Override
    public void combineMotion(View mask, View motion, int n, int slots, long plane, View out) {
        mask.require("mask", (long) n * slots * plane);
        motion.require("sparse motion", 3L * n * slots * plane);
        out.require("deformation", 3L * n * plane);
        q(() -> FommKernels.combineMotion(arr(mask), off(mask), arr(motion), off(motion), n, slots,
                Math.toIntExact(plane), arr(out), off(out)));
    }

    @Override
    public void scalePixels(View in, View weight, int n, int c, long plane, View out) {
        in.require("input", (long) n * c * plane);
        weight.require("weight", (long) n * plane);
        out.require("output", (long) n * c * plane);
        q(() -> FommKernels.scalePixels(arr(in), off(in), arr(weight), off(weight), n, c, Math.toIntExact(plane),
                arr(out), off(out)));
    }

    @Override
    public void softmaxChannels(View x, int b, int cin, int channels, long inner, View out) {
        if (channels < 1 || channels > cin) {
            throw new IllegalArgumentException("softmax over " + channels + " of " + cin + " channels");
        }
        x.require("softmax input", (long) b * cin * inner);
        out.require("softmax output", (long) b * channels * inner);
        q(() -> Softmax.overChannels(arr(x), off(x), b, cin, channels, Math.toIntExact(inner), arr(out),
                off(out)));
    }

    @Override
    public void close() {
        closed = true;
    }
}
