package io.motionkernels.cuda;

import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Monkey-Net's forward pass as device calls, mirroring {@code model.Generator}, {@code DenseMotion},
 * {@code MovementEmbedding}, {@code KeypointDetector} and {@code Hourglass}.
 *
 * <p>Layout: every activation is "frames-major", (B*D, C, h, w): the D frames of a video are the
 * batch of an NCHW convolution, so every conv is one cuDNN call with N = B*D and a frame's
 * channels are contiguous (concatenation = writing a channel slice of each frame). The kernels,
 * written for PyTorch's (B, C, D, h, w), are called with (B*D, ..., D = 1), which is the same
 * memory. Only the model's edges differ: the driving video is transposed on the host before upload,
 * and two outputs are made channel-major on the device (video_prediction by a strided copy;
 * video_deformed is produced channel-major by the depth-1 grid_sample). Source-side tensors
 * (skips, scaled sources, keypoints) have B frames and are prepared once.
 */
final class GpuGraph {
    /** A frames-major activation: n frames of c channels of h x w. */
    record Feat(GpuView v, int c, int h, int w) {
        long plane() {
            return (long) h * w;
        }
    }

    /** Keypoints on the device: mean (frames, K, 2), var (frames, K, 2, 2) / (frames, K) / null. */
    record Kp(GpuView mean, GpuView var) {
    }

    /** What {@link #prepare} leaves on the device for one source (B frames): all read-only afterwards. */
    record SourceViews(List<Feat> skips, Feat denseMotionSource, Feat kpEmbeddingSource, Kp keypoints) {
    }

    record GeneratorOut(GpuView videoPrediction, GpuView videoDeformed, GpuView deformation, int hd, int wd) {
    }

    private final GpuNet net;
    private final ModelConfig cfg;
    private final int channels;
    private final int numKp;

    GpuGraph(GpuNet net) {
        this.net = net;
        this.cfg = net.config;
        this.channels = cfg.common().numChannels();
        this.numKp = cfg.common().numKp();
    }

    static int varSize(ModelConfig cfg) {
        return CudaOps.varSize(cfg.common().kpVariance());
    }

    // ---- building blocks ----

    private static GpuView conv(Pass p, GpuDevice.Conv c, GpuView x, int n, int h, int w, GpuView residual) {
        ConvSpec s = c.spec();
        GpuView y = p.alloc(s.name(), (long) n * s.cout() * h * w);
        GpuView ws = p.alloc(s.name() + ".workspace", p.dev().convWorkspaceFloats(c, n, h, w, residual != null));
        p.dev().conv(c, x, n, h, w, residual, y, ws);
        return y;
    }

    private static Feat conv(Pass p, GpuDevice.Conv c, Feat x, int n) {
        return new Feat(conv(p, c, x.v(), n, x.h(), x.w(), null), c.spec().cout(), x.h(), x.w());
    }

    /** Down blocks: conv (BN, ReLU folded) then 2x2 average pooling; returns [x, level 1, ..., level N]. */
    private static List<Feat> encode(Pass p, GpuDevice.Conv[] down, Feat x, int n) {
        List<Feat> out = new ArrayList<>(down.length + 1);
        out.add(x);
        for (GpuDevice.Conv c : down) {
            Feat y = conv(p, c, x, n);
            int h = y.h() / 2;
            int w = y.w() / 2;
            GpuView pooled = p.alloc(c.spec().name() + ".pool", (long) n * y.c() * h * w);
            p.dev().avgPool2x2(y.v(), (long) n * y.c(), y.h(), y.w(), pooled);
            x = new Feat(pooled, y.c(), h, w);
            out.add(x);
        }
        return out;
    }

    /** Up blocks from the deepest skip: nearest x2, conv, then [conv output, next skip] as channels. */
    private static Feat decode(Pass p, GpuNet.Hourglass hg, List<Feat> skips, int n) {
        int k = skips.size() - 1;
        Feat out = skips.get(k--);
        for (GpuDevice.Conv c : hg.up()) {
            Feat skip = skips.get(k--);
            int h = out.h() * 2;
            int w = out.w() * 2;
            GpuView up = p.alloc(c.spec().name() + ".up", (long) n * out.c() * h * w);
            p.dev().interpolateNearest(out.v(), n * out.c(), 1, out.h(), out.w(), 1, h, w, 1f,
                    Scales.nearest(out.h(), h, null), Scales.nearest(out.w(), w, null), up);
            GpuView y = conv(p, c, up, n, h, w, null);
            int co = c.spec().cout();
            int catC = co + skip.c();
            GpuView cat = p.alloc(c.spec().name() + ".cat", (long) n * catC * h * w);
            long plane = (long) h * w;
            p.dev().channelAffine(y, null, null, n, co, plane, Activation.NONE, catC, 0, cat);
            p.dev().channelAffine(skip.v(), null, null, n, skip.c(), plane, Activation.NONE, catC, co, cat);
            out = new Feat(cat, catC, h, w);
        }
        return hg.last() == null ? out : conv(p, hg.last(), out, n);
    }

    private static Feat hourglass(Pass p, GpuNet.Hourglass hg, Feat x, int n) {
        return decode(p, hg, encode(p, hg.down(), x, n), n);
    }

    /** Nearest by scale factor (depth untouched), as Interpolate.nearestScale(x, 1, s, s). */
    private Feat nearestScale(Pass p, String name, Feat x, int n, double s) {
        if (s == 1) {
            return x;
        }
        int h = Scales.outputSize(x.h(), s);
        int w = Scales.outputSize(x.w(), s);
        GpuView out = p.alloc(name, (long) n * x.c() * h * w);
        p.dev().interpolateNearest(x.v(), n * x.c(), 1, x.h(), x.w(), 1, h, w, 1f, Scales.nearest(x.h(), h, s),
                Scales.nearest(x.w(), w, s), out);
        return new Feat(out, x.c(), h, w);
    }

    /** Resize to (h, w) as the generator's resize (trilinear or nearest by size; depth unchanged). */
    private Feat resize(Pass p, String name, Feat x, int n, int h, int w) {
        if (x.h() == h && x.w() == w) {
            return x;
        }
        GpuView out = p.alloc(name, (long) n * x.c() * h * w);
        if (cfg.generator().trilinear()) {
            p.dev().interpolateTrilinear(x.v(), n * x.c(), 1, x.h(), x.w(), 1, h, w, 1f, Scales.linear(x.h(), h, null),
                    Scales.linear(x.w(), w, null), out);
        } else {
            p.dev().interpolateNearest(x.v(), n * x.c(), 1, x.h(), x.w(), 1, h, w, 1f, Scales.nearest(x.h(), h, null),
                    Scales.nearest(x.w(), w, null), out);
        }
        return new Feat(out, x.c(), h, w);
    }

    // ---- keypoint detector ----

    /** Keypoints of n frames (n, C, H, W): mean (n, K, 2), var per the configuration. */
    Kp detect(Pass p, GpuView frames, int n, int height, int width) {
        ModelConfig.KpDetectorParams kd = cfg.kpDetector();
        Feat x = nearestScale(p, "kp.scaled", new Feat(frames, channels, height, width), n, kd.scaleFactor());
        Feat logits = hourglass(p, net.kp, x, n);
        GpuView heat = p.alloc("kp.heatmap", (long) n * numKp * logits.plane());
        p.dev().softmaxPixels(logits.v(), (long) n * numKp, Math.toIntExact(logits.plane()), kd.temperature(), heat);
        GpuView mean = p.alloc("kp.mean", 2L * n * numKp);
        int vs = varSize(cfg);
        GpuView var = vs == 0 ? null : p.alloc("kp.var", (long) vs * n * numKp);
        p.dev().gaussian2kp(heat, n, numKp, 1, logits.h(), logits.w(), cfg.common().kpVariance(), kd.clipVariance(),
                mean, var);
        return new Kp(mean, var);
    }

    // ---- once per source ----

    /** The appearance encoder's skips and the scaled sources of a source (b, C, H, W) already on the device. */
    SourceViews prepare(Pass p, GpuView source, int b, int height, int width, Kp keypoints) {
        Feat src = new Feat(source, channels, height, width);
        List<Feat> skips = encode(p, net.appearance.down(), src, b);
        ModelConfig.GeneratorParams g = cfg.generator();
        Feat dm = null;
        if (g.denseMotion() != null) {
            dm = nearestScale(p, "dm.source.scaled", src, b, g.denseMotion().scaleFactor());
            dm = nearestScale(p, "dm.embedding.source", dm, b, g.denseMotion().maskEmbedding().scaleFactor());
        }
        Feat kpe = g.kpEmbedding() == null ? null : nearestScale(p, "kp_embedding.source", src, b,
                g.kpEmbedding().scaleFactor());
        return new SourceViews(skips, dm, kpe, keypoints);
    }

    // ---- per frame ----

    /** The source keypoints repeated for each of the d frames of each of the b sources. */
    private Kp repeatSource(Pass p, Kp src, int b, int d) {
        int vs = varSize(cfg);
        GpuView mean = p.alloc("kp_source.mean.frames", 2L * b * d * numKp);
        p.dev().interpolateNearest(src.mean(), b, 1, 1, 2 * numKp, d, 1, 2 * numKp, Scales.nearest(1, d, null), 1f, 1f,
                mean);
        GpuView var = null;
        if (vs > 0) {
            var = p.alloc("kp_source.var.frames", (long) vs * b * d * numKp);
            p.dev().interpolateNearest(src.var(), b, 1, 1, vs * numKp, d, 1, vs * numKp, Scales.nearest(1, d, null), 1f,
                    1f, var);
        }
        return new Kp(mean, var);
    }

    /**
     * MovementEmbedding: src (b, C, h, w) is the already scaled source; returns (b*d, S*F, h, w).
     * Channels slot * F + feature: heatmap, difference (2), deformed source (C).
     */
    private Feat embed(Pass p, String name, ModelConfig.EmbeddingParams e, Feat src, int b, int d, Kp drv, Kp srcRep) {
        int n = b * d;
        int slots = e.slots(numKp);
        int f = e.featuresPerSlot(channels);
        int outC = slots * f;
        int h = src.h();
        int w = src.w();
        long plane = src.plane();
        boolean bg = e.addBackground();
        GpuView out = p.alloc(name, (long) n * outC * plane);
        int offset = 0;
        if (e.useHeatmap()) {
            p.dev().kpHeatmapEmbed(drv.mean(), drv.var(), srcRep.mean(), srcRep.var(), cfg.common().kpVariance(), n, 1,
                    numKp, h, w, e.normConst(), e.differenceHeatmap(), bg, outC, f, out);
            offset = 1;
        }
        if (e.useDifference()) {
            p.dev().kpDifferenceEmbed(drv.mean(), srcRep.mean(), n, 1, numKp, h, w, bg, outC, f, offset, out);
            offset += 2;
        }
        if (e.useDeformedSource()) {
            // Per (frame, slot): the shift (src - drv, zero for the background) as two planes, made
            // into a sampling grid (coordinate grid + shift, z = 0) by the flow kernel's correction-only path.
            GpuView shift = p.alloc(name + ".shift", (long) n * slots * 2 * plane);
            p.dev().kpDifferenceEmbed(drv.mean(), srcRep.mean(), n, 1, numKp, h, w, bg, slots * 2, 2, 0, shift);
            GpuView grid = p.alloc(name + ".grid", (long) n * slots * plane * 3);
            p.dev().denseMotionFlow(shift, null, null, n * slots, 2, 0, 1, h, w, false, true, null, grid);
            // One-frame source of batch item bi sampled for its d * slots grids: (b, C, d * slots, h, w).
            GpuView sampled = p.alloc(name + ".sampled", (long) b * channels * d * slots * plane);
            p.dev().gridSampleDepth1(src.v(), grid, b, channels, h, w, d * slots, h, w, GridSample.Padding.ZEROS, true,
                    sampled);
            long perItem = (long) d * slots * plane;
            for (int bi = 0; bi < b; bi++) {
                GpuView dst = out.slice(bi * perItem * f, perItem * f);
                for (int c = 0; c < channels; c++) {
                    // (d * slots) planes of channel c -> channel offset + c of every (frame, slot) group of f.
                    p.dev().channelAffine(sampled.slice(((long) bi * channels + c) * perItem, perItem), null, null,
                            d * slots, 1, plane, Activation.NONE, f, offset + c, dst);
                }
            }
        }
        return new Feat(out, outC, h, w);
    }

    /** The dense-motion deformation (b*d, hd, wd, 3). */
    private Feat denseMotion(Pass p, SourceViews s, int b, int d, Kp drv, Kp srcRep) {
        ModelConfig.DenseMotionParams dm = cfg.generator().denseMotion();
        int n = b * d;
        Feat x = embed(p, "dm.embedding", dm.maskEmbedding(), s.denseMotionSource(), b, d, drv, srcRep);
        for (GpuDevice.Conv g : net.groupBlocks) {
            x = conv(p, g, x, n);
        }
        Feat pred = hourglass(p, net.denseMotion, x, n);
        GpuView deformation = p.alloc("dm.deformation", (long) n * pred.plane() * 3);
        p.dev().denseMotionFlow(pred.v(), drv.mean(), srcRep.mean(), n, pred.c(), numKp, 1, pred.h(), pred.w(),
                dm.useMask(), dm.useCorrection(), null, deformation);
        return new Feat(deformation, 3, pred.h(), pred.w());
    }

    /** The generator for d driving frames of b sources; drv: driving keypoints (b*d frames). */
    GeneratorOut generate(Pass p, SourceViews s, int b, int d, Kp drv) {
        int n = b * d;
        Feat source = s.skips().get(0);
        Kp srcRep = repeatSource(p, s.keypoints(), b, d);
        Feat deformation;
        if (cfg.generator().denseMotion() != null) {
            deformation = denseMotion(p, s, b, d, drv, srcRep);
        } else {
            GpuView id = p.alloc("identity.deformation", (long) n * source.plane() * 3);
            p.dev().denseMotionFlow(null, null, null, n, 0, 0, 1, source.h(), source.w(), false, false, null, id);
            deformation = new Feat(id, 3, source.h(), source.w());
        }
        GpuView first = p.alloc("deformation.channels_first", (long) n * 3 * deformation.plane());
        p.dev().channelsLastToFirst(deformation.v(), n, deformation.plane(), 3, first);
        Feat defFirst = new Feat(first, 3, deformation.h(), deformation.w());
        int a = net.kpEmbeddingChannels;
        Feat kpEmb = a == 0 ? null
                : embed(p, "kp_embedding", cfg.generator().kpEmbedding(), s.kpEmbeddingSource(), b, d, drv, srcRep);

        List<Feat> warped = new ArrayList<>();
        GpuView videoDeformed = null;
        for (int i = 0; i < s.skips().size(); i++) {
            Feat skip = s.skips().get(i);
            long plane = skip.plane();
            Feat resized = resize(p, "skip" + i + ".deformation", defFirst, n, skip.h(), skip.w());
            GpuView grid = p.alloc("skip" + i + ".grid", (long) n * plane * 3);
            p.dev().channelsFirstToLast(resized.v(), n, plane, 3, grid);
            // (b, c, d, h, w): the depth-1 kernel samples each source for its d frames.
            GpuView sampled = p.alloc("skip" + i + ".deformed", (long) b * skip.c() * d * plane);
            p.dev().gridSampleDepth1(skip.v(), grid, b, skip.c(), skip.h(), skip.w(), d, skip.h(), skip.w(),
                    GridSample.Padding.ZEROS, true, sampled);
            if (i == 0) {
                videoDeformed = sampled;
            }
            int catC = skip.c() + a;
            GpuView cat = p.alloc("skip" + i + ".cat", (long) n * catC * plane);
            p.dev().copyStrided(sampled, new int[] {b, skip.c(), d, Math.toIntExact(plane)},
                    new long[] {(long) skip.c() * d * plane, d * plane, plane, 1}, cat,
                    new long[] {(long) d * catC * plane, plane, catC * plane, 1});
            if (kpEmb != null) {
                Feat e = resize(p, "skip" + i + ".kp_embedding", kpEmb, n, skip.h(), skip.w());
                p.dev().channelAffine(e.v(), null, null, n, a, plane, Activation.NONE, catC, skip.c(), cat);
            }
            warped.add(new Feat(cat, catC, skip.h(), skip.w()));
        }
        Feat x = decode(p, net.videoDecoder, warped, n);
        for (GpuNet.ResBlock r : net.refinement) {
            GpuView t = p.alloc(r.conv1().spec().name() + ".in", (long) n * x.c() * x.plane());
            p.dev().channelAffine(x.v(), r.scale(), r.shift(), n, x.c(), x.plane(), Activation.RELU, x.c(), 0, t);
            GpuView t1 = conv(p, r.conv1(), t, n, x.h(), x.w(), null);
            x = new Feat(conv(p, r.conv2(), t1, n, x.h(), x.w(), x.v()), x.c(), x.h(), x.w());
        }
        Feat last = conv(p, net.convLast, x, n);
        GpuView sig = p.alloc("video_prediction.frames", (long) n * channels * last.plane());
        p.dev().channelAffine(last.v(), null, null, n, channels, last.plane(), Activation.SIGMOID, channels, 0, sig);
        long plane = last.plane();
        GpuView prediction = p.alloc("video_prediction", (long) n * channels * plane);
        p.dev().copyStrided(sig, new int[] {b, d, channels, Math.toIntExact(plane)},
                new long[] {(long) d * channels * plane, channels * plane, plane, 1}, prediction,
                new long[] {(long) channels * d * plane, plane, d * plane, 1});
        return new GeneratorOut(prediction, videoDeformed, deformation.v(), deformation.h(), deformation.w());
    }
}
