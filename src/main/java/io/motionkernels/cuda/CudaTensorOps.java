package io.motionkernels.cuda;

import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Host-tensor versions of {@link CudaOps} with the signatures of the CPU operations in
 * {@code io.motionkernels.cpu}: upload, launch, wait, download. For tests and the GPU harness,
 * not for speed. With {@code poison} on, every output buffer is filled with NaN before the launch,
 * so that a value a kernel fails to write cannot pass as a stale right answer.
 */
public final class CudaTensorOps {
    private final CudaRuntime rt;
    private final CudaOps ops;
    private final boolean poison;

    public CudaTensorOps(CudaRuntime rt, boolean poison) {
        this.rt = rt;
        this.ops = new CudaOps(rt);
        this.poison = poison;
    }

    /** Owns the device buffers of one call; closes them all. */
    private final class Scope implements AutoCloseable {
        private final List<DeviceBuffer> buffers = new ArrayList<>();

        DeviceView in(Tensor t) {
            return in(t.data());
        }

        DeviceView in(float[] host) {
            DeviceBuffer b = DeviceBuffer.of(host);
            buffers.add(b);
            return b.view();
        }

        DeviceBuffer out(long floats) {
            DeviceBuffer b = DeviceBuffer.allocate(floats);
            buffers.add(b);
            if (poison) {
                b.fill(Float.NaN);
            }
            return b;
        }

        Tensor result(DeviceBuffer b, int... shape) {
            rt.synchronize();
            Tensor t = Tensor.zeros(shape);
            b.download(t.data());
            return t;
        }

        @Override
        public void close() {
            for (int i = buffers.size() - 1; i >= 0; i--) {
                buffers.get(i).close();
            }
            buffers.clear();
        }
    }

    public Tensor kp2gaussian(Keypoints kp, int h, int w, KpVariance variance) {
        int b = kp.batch(), d = kp.frames(), k = kp.count();
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out((long) b * d * k * h * w);
            ops.kp2gaussian(s.in(kp.mean()), variance.hasTensor() ? s.in(kp.var()) : DeviceView.NULL, variance,
                    b * d * k, h, w, out.view());
            return s.result(out, b, d, k, h, w);
        }
    }

    public Keypoints gaussian2kp(Tensor heat, KpVariance variance, Double clipVariance) {
        int b = heat.dim(0), k = heat.dim(1), d = heat.dim(2), h = heat.dim(3), w = heat.dim(4);
        try (Scope s = new Scope()) {
            DeviceBuffer mean = s.out(2L * b * d * k);
            DeviceBuffer var = variance.hasTensor() ? s.out((long) CudaOps.varSize(variance) * b * d * k) : null;
            ops.gaussian2kp(s.in(heat), b, k, d, h, w, variance, clipVariance, mean.view(),
                    var == null ? DeviceView.NULL : var.view());
            Tensor m = s.result(mean, b, d, k, 2);
            Tensor v = var == null ? null : variance.kind() == KpVariance.Kind.MATRIX
                    ? s.result(var, b, d, k, 2, 2) : s.result(var, b, d, k, 1, 1);
            return new Keypoints(m, v);
        }
    }

    /** Movement-embedding heatmaps as a (B, K + bg, D, h, w) tensor (one feature per slot). */
    public Tensor heatmapEmbedding(Keypoints driving, Keypoints source, KpVariance variance, int h, int w,
                                   Double normConst, boolean difference, boolean background) {
        int b = driving.batch(), d = driving.frames(), k = driving.count();
        int slots = k + (background ? 1 : 0);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out((long) b * slots * d * h * w);
            boolean hasVar = variance.hasTensor();
            ops.kpHeatmapEmbed(s.in(driving.mean()), hasVar ? s.in(driving.var()) : DeviceView.NULL,
                    s.in(source.mean()), hasVar ? s.in(source.var()) : DeviceView.NULL, variance, b, d, k, h, w,
                    normConst, difference, background, slots, 1, out.view());
            return s.result(out, b, slots, d, h, w);
        }
    }

    /** Movement-embedding difference channels as a (B, 2 (K + bg), D, h, w) tensor. */
    public Tensor differenceEmbedding(Keypoints driving, Keypoints source, int h, int w, boolean background) {
        int b = driving.batch(), d = driving.frames(), k = driving.count();
        int slots = k + (background ? 1 : 0);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(2L * b * slots * d * h * w);
            ops.kpDifferenceEmbed(s.in(driving.mean()), s.in(source.mean()), b, d, k, h, w, background, 2 * slots, 2, 0,
                    out.view());
            return s.result(out, b, 2 * slots, d, h, w);
        }
    }

    /** Dense-motion deformation (B, D, h, w, 3) from the hourglass prediction (B, cp, D, h, w). */
    public Tensor denseMotionDeformation(Tensor pred, Keypoints driving, Keypoints source, boolean useMask,
                                         boolean useCorrection) {
        int b = pred.dim(0), cp = pred.dim(1), d = pred.dim(2), h = pred.dim(3), w = pred.dim(4);
        int k = driving.count();
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(3L * b * d * h * w);
            ops.denseMotionFlow(s.in(pred), s.in(driving.mean()), s.in(source.mean()), b, cp, k, d, h, w, useMask,
                    useCorrection, DeviceView.NULL, out.view());
            return s.result(out, b, d, h, w, 3);
        }
    }

    public Tensor softmaxOverPixels(Tensor x, double temperature) {
        int rows = x.dim(0) * x.dim(1) * x.dim(2), n = x.dim(3) * x.dim(4);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out((long) rows * n);
            ops.softmaxPixels(s.in(x), rows, n, temperature, out.view());
            return s.result(out, x.shape());
        }
    }

    public Tensor softmaxOverChannels(Tensor x, int channels) {
        int b = x.dim(0), c = x.dim(1);
        long inner = (long) x.dim(2) * x.dim(3) * x.dim(4);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(b * channels * inner);
            ops.softmaxChannels(s.in(x), b, c, channels, inner, out.view());
            return s.result(out, b, channels, x.dim(2), x.dim(3), x.dim(4));
        }
    }

    /** F.grid_sample: 4-D input with a (N, Ho, Wo, 2) grid, or 5-D with (N, Do, Ho, Wo, 3). */
    public Tensor gridSample(Tensor input, Tensor grid, GridSample.Padding padding, boolean alignCorners) {
        try (Scope s = new Scope()) {
            int n = input.dim(0), c = input.dim(1);
            if (input.rank() == 4) {
                int ho = grid.dim(1), wo = grid.dim(2);
                DeviceBuffer out = s.out((long) n * c * ho * wo);
                ops.gridSample2d(s.in(input), s.in(grid), n, c, input.dim(2), input.dim(3), ho, wo, padding, alignCorners,
                        out.view());
                return s.result(out, n, c, ho, wo);
            }
            int od = grid.dim(1), ho = grid.dim(2), wo = grid.dim(3);
            DeviceBuffer out = s.out((long) n * c * od * ho * wo);
            ops.gridSample3d(s.in(input), s.in(grid), n, c, input.dim(2), input.dim(3), input.dim(4), od, ho, wo, padding,
                    alignCorners, out.view());
            return s.result(out, n, c, od, ho, wo);
        }
    }

    /** The depth-1 kernel on a (N, C, 1, H, W) input: must equal {@link #gridSample} on the same input. */
    public Tensor gridSampleDepth1(Tensor input, Tensor grid, GridSample.Padding padding, boolean alignCorners) {
        if (input.rank() != 5 || input.dim(2) != 1) {
            throw new IllegalArgumentException("depth-1 grid_sample needs a (N, C, 1, H, W) input, got " + input.shapeString());
        }
        int n = input.dim(0), c = input.dim(1), od = grid.dim(1), ho = grid.dim(2), wo = grid.dim(3);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out((long) n * c * od * ho * wo);
            ops.gridSampleDepth1(s.in(input), s.in(grid), n, c, input.dim(3), input.dim(4), od, ho, wo, padding,
                    alignCorners, out.view());
            return s.result(out, n, c, od, ho, wo);
        }
    }

    public Tensor nearest(Tensor x, int outD, int outH, int outW) {
        return nearest(x, outD, outH, outW, null, null, null);
    }

    public Tensor nearestScale(Tensor x, double sd, double sh, double sw) {
        return nearest(x, Scales.outputSize(x.dim(2), sd), Scales.outputSize(x.dim(3), sh), Scales.outputSize(x.dim(4), sw),
                sd, sh, sw);
    }

    private Tensor nearest(Tensor x, int od, int oh, int ow, Double sd, Double sh, Double sw) {
        int nc = x.dim(0) * x.dim(1), di = x.dim(2), hi = x.dim(3), wi = x.dim(4);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out((long) nc * od * oh * ow);
            ops.interpolateNearest(s.in(x), nc, di, hi, wi, od, oh, ow, Scales.nearest(di, od, sd),
                    Scales.nearest(hi, oh, sh), Scales.nearest(wi, ow, sw), out.view());
            return s.result(out, x.dim(0), x.dim(1), od, oh, ow);
        }
    }

    public Tensor trilinear(Tensor x, int od, int oh, int ow) {
        int nc = x.dim(0) * x.dim(1), di = x.dim(2), hi = x.dim(3), wi = x.dim(4);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out((long) nc * od * oh * ow);
            ops.interpolateTrilinear(s.in(x), nc, di, hi, wi, od, oh, ow, Scales.linear(di, od, null),
                    Scales.linear(hi, oh, null), Scales.linear(wi, ow, null), out.view());
            return s.result(out, x.dim(0), x.dim(1), od, oh, ow);
        }
    }

    public Tensor avgPool2x2(Tensor x) {
        long planes = (long) x.dim(0) * x.dim(1) * x.dim(2);
        int h = x.dim(3), w = x.dim(4);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(planes * (h / 2) * (w / 2));
            ops.avgPool2x2(s.in(x), planes, h, w, out.view());
            return s.result(out, x.dim(0), x.dim(1), x.dim(2), h / 2, w / 2);
        }
    }

    public Tensor affineChannels(Tensor x, float[] scale, float[] shift, Activation act) {
        int b = x.dim(0), c = x.dim(1);
        long inner = (long) x.numel() / ((long) b * c);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(x.numel());
            ops.channelAffine(s.in(x), scale == null ? DeviceView.NULL : s.in(scale),
                    shift == null ? DeviceView.NULL : s.in(shift), b, c, inner, act, c, 0, out.view());
            return s.result(out, x.shape());
        }
    }

    public Tensor apply(Tensor x, Activation act) {
        return affineChannels(x, null, null, act);
    }

    public Tensor add(Tensor a, Tensor b) {
        if (!a.hasShape(b.shape())) {
            throw new IllegalArgumentException("add of " + a.shapeString() + " and " + b.shapeString());
        }
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(a.numel());
            ops.addAct(s.in(a), s.in(b), a.numel(), Activation.NONE, out.view());
            return s.result(out, a.shape());
        }
    }

    /** Concatenation along channels, one channel-slice write per part. */
    public Tensor concatChannels(Tensor... parts) {
        int b = parts[0].dim(0);
        int total = 0;
        for (Tensor p : parts) {
            total += p.dim(1);
        }
        long inner = (long) parts[0].numel() / ((long) b * parts[0].dim(1));
        int[] shape = parts[0].shape();
        shape[1] = total;
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(b * total * inner);
            int off = 0;
            for (Tensor p : parts) {
                ops.channelAffine(s.in(p), DeviceView.NULL, DeviceView.NULL, b, p.dim(1), inner, Activation.NONE, total, off,
                        out.view());
                off += p.dim(1);
            }
            return s.result(out, shape);
        }
    }

    /** (B, D, h, w, 3) -> (B, 3, D, h, w) and back: the layout moves of the deformation. */
    public Tensor channelsLastToFirst(Tensor x) {
        int b = x.dim(0), c = x.dim(-1);
        long inner = (long) x.numel() / ((long) b * c);
        int[] shape = new int[x.rank()];
        shape[0] = b;
        shape[1] = c;
        System.arraycopy(x.shape(), 1, shape, 2, x.rank() - 2);
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(x.numel());
            ops.channelsLastToFirst(s.in(x), b, inner, c, out.view());
            return s.result(out, shape);
        }
    }

    public Tensor channelsFirstToLast(Tensor x) {
        int b = x.dim(0), c = x.dim(1);
        long inner = (long) x.numel() / ((long) b * c);
        int[] shape = new int[x.rank()];
        shape[0] = b;
        System.arraycopy(x.shape(), 2, shape, 1, x.rank() - 2);
        shape[x.rank() - 1] = c;
        try (Scope s = new Scope()) {
            DeviceBuffer out = s.out(x.numel());
            ops.channelsFirstToLast(s.in(x), b, inner, c, out.view());
            return s.result(out, shape);
        }
    }
}
