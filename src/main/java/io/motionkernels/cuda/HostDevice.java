package io.motionkernels.cuda;

import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.Conv2d;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link GpuDevice} on heap arrays: the GPU executor's test double. Memory is real memory (an
 * arena is one float[], views into it alias exactly as device pointers would), every operation
 * has its kernel's contract (the same size checks as {@link CudaOps}, writes only what the kernel
 * writes) and is computed with the CPU operations of {@code io.motionkernels.cpu} or a port of the
 * kernel's formula. Convolutions scribble NaN over their workspace, as if cuDNN had used it.
 * {@link #capture} records work without running it; the graph's launch runs it, and uploads or
 * downloads inside a capture are refused, as CUDA would. What this cannot show: anything about
 * the real kernels, cuDNN or the GPU (see native-tests).
 */
public final class HostDevice implements GpuDevice {
    private List<Runnable> capturing;
    private boolean closed;
    private long convCalls;
    private long allocations;

    private static float[] arr(GpuView v) {
        if (!(v.storage() instanceof float[] a)) {
            throw new IllegalArgumentException("not a host view: " + v.storage().getClass().getSimpleName());
        }
        if (v.offset() + v.floats() > a.length) {
            throw new IndexOutOfBoundsException("view past its buffer");
        }
        return a;
    }

    /** A copy of the first n floats of v. */
    private static float[] read(GpuView v, long n) {
        v.require("input", n);
        int o = Math.toIntExact(v.offset());
        return Arrays.copyOfRange(arr(v), o, o + Math.toIntExact(n));
    }

    private static void write(float[] src, GpuView v) {
        v.require("output", src.length);
        System.arraycopy(src, 0, arr(v), Math.toIntExact(v.offset()), src.length);
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

    /** Buffers allocated so far. */
    public long allocations() {
        return allocations;
    }

    /** Convolutions run so far (graph replays included). */
    public long convCalls() {
        return convCalls;
    }

    @Override
    public void bindThread() {
    }

    @Override
    public Buffer allocate(long floats) {
        allocations++;
        float[] a = new float[Math.toIntExact(floats)];
        GpuView v = new GpuView(a, 0, floats);
        return new Buffer() {
            @Override
            public GpuView view() {
                return v;
            }

            @Override
            public void close() {
                Arrays.fill(a, Float.NaN); // use after free reads NaN
            }
        };
    }

    @Override
    public void upload(float[] host, GpuView dst) {
        if (capturing != null) {
            throw new IllegalStateException("upload during graph capture");
        }
        write(host, dst);
    }

    @Override
    public void download(GpuView src, float[] host) {
        if (capturing != null) {
            throw new IllegalStateException("download during graph capture");
        }
        System.arraycopy(read(src, host.length), 0, host, 0, host.length);
    }

    @Override
    public void fill(GpuView dst, float value) {
        q(() -> {
            int o = Math.toIntExact(dst.offset());
            Arrays.fill(arr(dst), o, o + Math.toIntExact(dst.floats()), value);
        });
    }

    @Override
    public void synchronize() {
    }

    private record HostConv(ConvSpec spec, Conv2d cpu) implements Conv {
        @Override
        public void close() {
        }
    }

    @Override
    public Conv prepareConv(ConvSpec s) {
        return new HostConv(s, Conv2d.of(s.weight(), s.bias(), s.cout(), s.cin(), s.k(), s.k(), s.groups())
                .withActivation(s.activation()));
    }

    @Override
    public long convWorkspaceFloats(Conv conv, int n, int h, int w, boolean residual) {
        return (long) n * h * w; // any size: conv() scribbles over it
    }

    @Override
    public void conv(Conv conv, GpuView x, int n, int h, int w, GpuView residual, GpuView y, GpuView workspace) {
        HostConv c = (HostConv) conv;
        ConvSpec s = c.spec();
        long in = (long) n * s.cin() * h * w;
        long out = (long) n * s.cout() * h * w;
        x.require("conv input", in);
        y.require("conv output", out);
        GpuView.require(residual, "conv residual", out);
        workspace.require("conv workspace", convWorkspaceFloats(conv, n, h, w, residual != null));
        q(() -> {
            convCalls++;
            Tensor xt = Tensor.of(read(x, in), n, s.cin(), 1, h, w);
            Tensor r = residual == null ? c.cpu().apply(xt)
                    : c.cpu().applyAdd(xt, Tensor.of(read(residual, out), n, s.cout(), 1, h, w));
            int o = Math.toIntExact(workspace.offset());
            Arrays.fill(arr(workspace), o, o + Math.toIntExact(workspace.floats()), Float.NaN);
            write(r.data(), y);
        });
    }

    @Override
    public void copyStrided(GpuView src, int[] dims, long[] srcStrides, GpuView dst, long[] dstStrides) {
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
            for (int a = 0; a < dims[0]; a++) {
                for (int b = 0; b < dims[1]; b++) {
                    for (int c = 0; c < dims[2]; c++) {
                        long si = src.offset() + a * srcStrides[0] + b * srcStrides[1] + c * srcStrides[2];
                        long di = dst.offset() + a * dstStrides[0] + b * dstStrides[1] + c * dstStrides[2];
                        for (int e = 0; e < dims[3]; e++) {
                            d[(int) (di + e * dstStrides[3])] = s[(int) (si + e * srcStrides[3])];
                        }
                    }
                }
            }
        });
    }

    @Override
    public Graph capture(Runnable work) {
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
        return new Graph() {
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
    public void interpolateNearest(GpuView in, int nc, int di, int hi, int wi, int od, int ho, int wo, float sd,
                                   float sh, float sw, GpuView out) {
        long inN = (long) nc * di * hi * wi;
        long n = (long) nc * od * ho * wo;
        in.require("interpolate input", inN);
        out.require("interpolate output", n);
        q(() -> {
            float[] x = read(in, inN);
            float[] o = new float[(int) n];
            int idx = 0;
            for (int c = 0; c < nc; c++) {
                for (int d = 0; d < od; d++) {
                    int sdI = Scales.nearestSource(d, sd, di);
                    for (int i = 0; i < ho; i++) {
                        int si = Scales.nearestSource(i, sh, hi);
                        for (int j = 0; j < wo; j++) {
                            o[idx++] = x[((c * di + sdI) * hi + si) * wi + Scales.nearestSource(j, sw, wi)];
                        }
                    }
                }
            }
            write(o, out);
        });
    }

    @Override
    public void interpolateTrilinear(GpuView in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd,
                                     float rh, float rw, GpuView out) {
        long inN = (long) nc * di * hi * wi;
        long n = (long) nc * od * ho * wo;
        in.require("interpolate input", inN);
        out.require("interpolate output", n);
        q(() -> write(HostKernels.trilinear(read(in, inN), nc, di, hi, wi, od, ho, wo, rd, rh, rw), out));
    }

    @Override
    public void avgPool2x2(GpuView in, long planes, int h, int w, GpuView out) {
        long inN = planes * h * w;
        long n = planes * (h / 2) * (w / 2);
        in.require("pool input", inN);
        out.require("pool output", n);
        q(() -> {
            float[] x = read(in, inN);
            float[] o = new float[(int) n];
            int ho = h / 2, wo = w / 2;
            for (int i = 0; i < n; i++) {
                int p = i / (ho * wo), r = i % (ho * wo), y = r / wo, z = r % wo;
                int s = (p * h + 2 * y) * w + 2 * z;
                o[i] = (((x[s] + x[s + 1]) + x[s + w]) + x[s + w + 1]) / 4f;
            }
            write(o, out);
        });
    }

    @Override
    public void channelAffine(GpuView in, GpuView scale, GpuView shift, int b, int c, long inner, Activation act,
                              int outChannels, int outOffset, GpuView out) {
        if (outOffset < 0 || outOffset + c > outChannels) {
            throw new IllegalArgumentException("channels [" + outOffset + ", " + (outOffset + c) + ") outside " + outChannels);
        }
        long n = (long) b * c * inner;
        in.require("input", n);
        GpuView.require(scale, "scale", c);
        GpuView.require(shift, "shift", c);
        out.require("output", (long) b * outChannels * inner);
        q(() -> {
            float[] x = read(in, n);
            float[] sc = scale == null ? null : read(scale, c);
            float[] sh = shift == null ? null : read(shift, c);
            float[] o = arr(out);
            long base = out.offset();
            for (long i = 0; i < n; i++) {
                long bc = i / inner, p = i % inner;
                int ch = (int) (bc % c);
                long bi = bc / c;
                float v = x[(int) i];
                if (sc != null) {
                    v = v * sc[ch];
                }
                if (sh != null) {
                    v = v + sh[ch];
                }
                o[(int) (base + (bi * outChannels + outOffset + ch) * inner + p)] = act.apply(v);
            }
        });
    }

    @Override
    public void addAct(GpuView a, GpuView b, long n, Activation act, GpuView out) {
        a.require("a", n);
        b.require("b", n);
        out.require("out", n);
        q(() -> {
            float[] x = read(a, n);
            float[] y = read(b, n);
            for (int i = 0; i < n; i++) {
                x[i] = act.apply(x[i] + y[i]);
            }
            write(x, out);
        });
    }

    @Override
    public void channelsLastToFirst(GpuView in, int b, long inner, int c, GpuView out) {
        long n = (long) b * inner * c;
        in.require("input", n);
        out.require("output", n);
        q(() -> write(HostKernels.transposeLast(read(in, n), b, inner, c, true), out));
    }

    @Override
    public void channelsFirstToLast(GpuView in, int b, long inner, int c, GpuView out) {
        long n = (long) b * inner * c;
        in.require("input", n);
        out.require("output", n);
        q(() -> write(HostKernels.transposeLast(read(in, n), b, inner, c, false), out));
    }

    @Override
    public void softmaxPixels(GpuView x, long rows, int n, double temperature, GpuView out) {
        x.require("softmax input", rows * n);
        out.require("softmax output", rows * n);
        q(() -> write(HostKernels.softmaxRows(read(x, rows * n), rows, n, (float) temperature), out));
    }

    @Override
    public void gaussian2kp(GpuView heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                            GpuView mean, GpuView var) {
        long maps = (long) b * k * d;
        heat.require("heatmap", maps * h * w);
        mean.require("mean", 2 * maps);
        if (variance.hasTensor()) {
            var.require("var", CudaOps.varSize(variance) * maps);
        }
        q(() -> {
            Keypoints kp = KeypointOps.gaussian2kp(Tensor.of(read(heat, maps * h * w), b, k, d, h, w), variance,
                    clipVariance);
            write(kp.mean().data(), mean);
            if (variance.hasTensor()) {
                write(kp.var().data(), var);
            }
        });
    }

    @Override
    public void kpHeatmapEmbed(GpuView drvMean, GpuView drvVar, GpuView srcMean, GpuView srcVar, KpVariance variance,
                               int b, int d, int k, int h, int w, Double normConst, boolean difference,
                               boolean background, int outChannels, int slotFeatures, GpuView out) {
        int bg = background ? 1 : 0;
        if ((k + bg) * slotFeatures > outChannels) {
            throw new IllegalArgumentException("slots exceed channels");
        }
        int vs = CudaOps.varSize(variance);
        drvMean.require("driving mean", 2L * b * d * k);
        srcMean.require("source mean", 2L * b * k);
        if (vs > 0) {
            drvVar.require("driving var", (long) vs * b * d * k);
            srcVar.require("source var", (long) vs * b * k);
        }
        out.require("embedding", (long) b * outChannels * d * h * w);
        q(() -> {
            Tensor drv = HostKernels.heatmaps(read(drvMean, 2L * b * d * k), vs == 0 ? null : read(drvVar, (long) vs * b * d * k),
                    variance, b, d, k, h, w, normConst);
            Tensor src = difference ? HostKernels.heatmaps(read(srcMean, 2L * b * k),
                    vs == 0 ? null : read(srcVar, (long) vs * b * k), variance, b, 1, k, h, w, normConst) : null;
            float[] o = arr(out);
            int plane = h * w;
            for (int bi = 0; bi < b; bi++) {
                for (int di = 0; di < d; di++) {
                    for (int slot = 0; slot < k + bg; slot++) {
                        long to = out.offset() + (((long) bi * outChannels + (long) slot * slotFeatures) * d + di) * plane;
                        int kk = slot - bg;
                        for (int p = 0; p < plane; p++) {
                            float v = 0f;
                            if (kk >= 0) {
                                v = drv.data()[((bi * d + di) * k + kk) * plane + p];
                                if (src != null) {
                                    v -= src.data()[(bi * k + kk) * plane + p];
                                }
                            }
                            o[(int) (to + p)] = v;
                        }
                    }
                }
            }
        });
    }

    @Override
    public void kpDifferenceEmbed(GpuView drvMean, GpuView srcMean, int b, int d, int k, int h, int w,
                                  boolean background, int outChannels, int slotFeatures, int channel, GpuView out) {
        int bg = background ? 1 : 0;
        if (channel + 2 > slotFeatures || (k + bg) * slotFeatures > outChannels) {
            throw new IllegalArgumentException("difference channels do not fit");
        }
        drvMean.require("driving mean", 2L * b * d * k);
        srcMean.require("source mean", 2L * b * k);
        out.require("embedding", (long) b * outChannels * d * h * w);
        q(() -> {
            float[] dm = read(drvMean, 2L * b * d * k);
            float[] sm = read(srcMean, 2L * b * k);
            float[] o = arr(out);
            int plane = h * w;
            for (int bi = 0; bi < b; bi++) {
                for (int slot = 0; slot < k + bg; slot++) {
                    for (int xy = 0; xy < 2; xy++) {
                        for (int di = 0; di < d; di++) {
                            int kk = slot - bg;
                            float v = kk < 0 ? 0f : sm[(bi * k + kk) * 2 + xy] - dm[((bi * d + di) * k + kk) * 2 + xy];
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
    public void denseMotionFlow(GpuView pred, GpuView drvMean, GpuView srcMean, int b, int cp, int k, int d, int h,
                                int w, boolean useMask, boolean useCorrection, GpuView mask, GpuView deformation) {
        int needed = (useMask ? k + 1 : 0) + (useCorrection ? 2 : 0);
        if (needed > cp) {
            throw new IllegalArgumentException("prediction has " + cp + " channels, needs " + needed);
        }
        long inner = (long) d * h * w;
        GpuView.require(pred, "prediction", b * cp * inner);
        GpuView.require(drvMean, "driving mean", 2L * b * d * k);
        GpuView.require(srcMean, "source mean", 2L * b * k);
        if (mask != null) {
            throw new UnsupportedOperationException("the executor never asks for the mask");
        }
        deformation.require("deformation", 3L * b * inner);
        q(() -> write(HostKernels.flow(pred == null ? null : read(pred, b * cp * inner),
                drvMean == null ? null : read(drvMean, 2L * b * d * k), srcMean == null ? null : read(srcMean, 2L * b * k),
                b, cp, k, d, h, w, useMask, useCorrection), deformation));
    }

    @Override
    public void gridSampleDepth1(GpuView in, GpuView grid, int n, int c, int h, int w, int od, int ho, int wo,
                                 GridSample.Padding padding, boolean alignCorners, GpuView out) {
        long pts = (long) n * od * ho * wo;
        in.require("grid_sample input", (long) n * c * h * w);
        grid.require("grid", 3 * pts);
        out.require("grid_sample output", pts * c);
        q(() -> {
            Tensor input = Tensor.of(read(in, (long) n * c * h * w), n, c, 1, h, w);
            Tensor g = Tensor.of(read(grid, 3 * pts), n, od, ho, wo, 3);
            write(GridSample.sample(input, g, padding, alignCorners).data(), out);
        });
    }

    @Override
    public void close() {
        closed = true;
    }
}
