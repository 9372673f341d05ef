package io.motionkernels.monkeynet;

import io.motionkernels.model.ModelConfig;
import io.motionkernels.engine.Activation;
import io.motionkernels.engine.ConvSpec;
import io.motionkernels.engine.Graph;
import io.motionkernels.engine.Layers;
import io.motionkernels.engine.Layers.Feat;
import io.motionkernels.engine.Graph.Ref;
import io.motionkernels.engine.Graph.Value;
import io.motionkernels.engine.Ops;
import io.motionkernels.engine.Padding;
import io.motionkernels.engine.Scales;
import io.motionkernels.tensor.KpVariance;

import java.util.ArrayList;
import java.util.List;

/**
 * Monkey-Net written once, as data: the keypoint detector, the once-per-source encoder and the
 * generator as {@link Graph}s of {@link Ops}, which every device runs through the same executor.
 *
 * <p>Layout: every activation is "frames-major", (B*D, C, h, w): the D frames of a video are the
 * batch of an NCHW convolution, so a convolution is one device call with N = B*D and a frame's
 * channels are contiguous (concatenation = writing a channel slice of each frame). The kernels,
 * written for PyTorch's (B, C, D, h, w), are called with (B*D, ..., D = 1), which is the same
 * memory. Only the edges differ from PyTorch's layout: the driving video arrives frames-major
 * (the caller transposes it), and the outputs are made channel-major inside the graph
 * (video_prediction by a strided copy; video_deformed comes channel-major out of the depth-1
 * grid_sample).
 */
public final class MonkeyNetGraph {
    /** Names of the graphs' inputs and outputs. */
    public static final String FRAMES = "frames";
    public static final String KP_MEAN = "kp.mean";
    public static final String KP_VAR = "kp.var";
    public static final String HEATMAP_LOGITS = "heatmap_logits";
    public static final String SOURCE = "source";
    public static final String SOURCE_MEAN = "source.kp.mean";
    public static final String SOURCE_VAR = "source.kp.var";
    public static final String DRIVING_MEAN = "driving.kp.mean";
    public static final String DRIVING_VAR = "driving.kp.var";
    public static final String VIDEO_PREDICTION = "video_prediction";
    public static final String VIDEO_DEFORMED = "video_deformed";
    public static final String DEFORMATION = "deformation";
    public static final String MASK_EMBEDDING = "mask_embedding";

    /** Keypoints: mean (frames, K, 2), var (frames, K, 2, 2) / (frames, K) / null. */
    private record Kp(Value mean, Value var) {
    }

    /**
     * What the prepare graph keeps for the generate graph, by role: the names of the kept values
     * (one value may fill several roles, e.g. the source image is skip 0 and, unscaled, the
     * dense-motion source). Null where the configuration has no such part.
     */
    public record SourceLayout(List<String> skips, String denseMotionSource, String kpEmbeddingSource, String mean,
                               String var) {
        /** Every role with the name of the external value the generate graph reads it through. */
        public List<String[]> bindings() {
            List<String[]> out = new ArrayList<>();
            for (int i = 0; i < skips.size(); i++) {
                out.add(new String[] {"ext.skip" + i, skips.get(i)});
            }
            if (denseMotionSource != null) {
                out.add(new String[] {"ext.dm_source", denseMotionSource});
            }
            if (kpEmbeddingSource != null) {
                out.add(new String[] {"ext.kpe_source", kpEmbeddingSource});
            }
            out.add(new String[] {"ext.source_mean", mean});
            if (var != null) {
                out.add(new String[] {"ext.source_var", var});
            }
            return out;
        }
    }

    private final MonkeyNetParams net;
    private final ModelConfig cfg;
    private final int channels;
    private final int numKp;
    private final int varSize;

    public MonkeyNetGraph(MonkeyNetParams net) {
        this.net = net;
        this.cfg = net.config;
        this.channels = cfg.common().numChannels();
        this.numKp = cfg.common().numKp();
        this.varSize = cfg.common().kpVariance().floats();
    }

    public int varSize() {
        return varSize;
    }

    public ModelConfig config() {
        return cfg;
    }

    /** One graph under construction, with Monkey-Net's own layers. */
    private final class Build extends Layers {
        Build(String name) {
            super(name);
        }

        /** Down blocks: conv (BN, ReLU folded) then 2x2 average pooling; returns [x, level 1, ..., level N]. */
        List<Feat> encode(ConvSpec[] down, Feat x, int n) {
            List<Feat> out = new ArrayList<>(down.length + 1);
            out.add(x);
            for (ConvSpec c : down) {
                x = pool(c.name() + ".pool", conv(c, x, n), n);
                out.add(x);
            }
            return out;
        }

        /**
         * Up blocks from the deepest skip: conv of the x2 upsampled input written into the first
         * channels of the concatenation, the next skip copied into the rest; then the last conv.
         */
        Feat decode(MonkeyNetParams.Hourglass hg, List<Feat> skips, int n) {
            int k = skips.size() - 1;
            Feat out = skips.get(k--);
            for (ConvSpec c : hg.up()) {
                Feat skip = skips.get(k--);
                int h = out.h() * 2;
                int w = out.w() * 2;
                int co = c.cout();
                int catC = co + skip.c();
                Value cat = temp(c.name() + ".cat", (long) n * catC * h * w);
                conv(c, out, n, 2, null, cat, catC, 0);
                g.node(c.name() + ".skip", new Ops.ChannelAffine(skip.v().all(), null, null, n, skip.c(), (long) h * w,
                        Activation.NONE, catC, co, cat.all()));
                out = new Feat(cat, catC, h, w);
            }
            return hg.last() == null ? out : conv(hg.last(), out, n);
        }

        Feat hourglass(MonkeyNetParams.Hourglass hg, Feat x, int n) {
            return decode(hg, encode(hg.down(), x, n), n);
        }

        /** Nearest by scale factor (depth untouched), as PyTorch's interpolate(scale_factor=s). */
        Feat nearestScale(String name, Feat x, int n, double s) {
            if (s == 1) {
                return x;
            }
            int h = Scales.outputSize(x.h(), s);
            int w = Scales.outputSize(x.w(), s);
            Value out = temp(name, (long) n * x.c() * h * w);
            g.node(name, new Ops.InterpolateNearest(x.v().all(), n * x.c(), 1, x.h(), x.w(), 1, h, w, 1f,
                    Scales.nearest(x.h(), h, s), Scales.nearest(x.w(), w, s), out.all()));
            return new Feat(out, x.c(), h, w);
        }

        /** Resize to (h, w) as the generator's resize (trilinear or nearest by size; depth unchanged). */
        Feat resize(String name, Feat x, int n, int h, int w) {
            if (x.h() == h && x.w() == w) {
                return x;
            }
            Value out = temp(name, (long) n * x.c() * h * w);
            if (cfg.generator().trilinear()) {
                g.node(name, new Ops.InterpolateTrilinear(x.v().all(), n * x.c(), 1, x.h(), x.w(), 1, h, w, 1f,
                        Scales.linear(x.h(), h, null), Scales.linear(x.w(), w, null), out.all()));
            } else {
                g.node(name, new Ops.InterpolateNearest(x.v().all(), n * x.c(), 1, x.h(), x.w(), 1, h, w, 1f,
                        Scales.nearest(x.h(), h, null), Scales.nearest(x.w(), w, null), out.all()));
            }
            return new Feat(out, x.c(), h, w);
        }
    }

    // ---- keypoint detector ----

    /**
     * Keypoints of n frames (n, C, H, W) given as input {@link #FRAMES}: outputs {@link #KP_MEAN}
     * (n, K, 2) and {@link #KP_VAR} (none for a constant variance); with {@code intermediates}
     * also {@link #HEATMAP_LOGITS}.
     */
    public Graph detect(int n, int height, int width, boolean intermediates) {
        Build b = new Build("detect " + n + "x" + height + "x" + width);
        Value frames = b.g.input(FRAMES, (long) n * channels * height * width);
        ModelConfig.KpDetectorParams kd = cfg.kpDetector();
        Feat x = b.nearestScale("kp.scaled", new Feat(frames, channels, height, width), n, kd.scaleFactor());
        Feat logits = b.hourglass(net.kp, x, n);
        if (intermediates) {
            Value named = b.temp(HEATMAP_LOGITS, logits.v().floats());
            b.g.node(HEATMAP_LOGITS, new Ops.ChannelAffine(logits.v().all(), null, null, 1, 1, logits.v().floats(),
                    Activation.NONE, 1, 0, named.all()));
            b.g.output(named);
        }
        Value heat = b.temp("kp.heatmap", (long) n * numKp * logits.plane());
        b.g.node("kp.heatmap", new Ops.SoftmaxPixels(logits.v().all(), (long) n * numKp,
                Math.toIntExact(logits.plane()), kd.temperature(), heat.all()));
        Value mean = b.g.output(b.temp(KP_MEAN, 2L * n * numKp));
        Value var = varSize == 0 ? null : b.g.output(b.temp(KP_VAR, (long) varSize * n * numKp));
        b.g.node(KP_MEAN, new Ops.Gaussian2kp(heat.all(), n, numKp, 1, logits.h(), logits.w(),
                cfg.common().kpVariance(), kd.clipVariance(), mean.all(), b.ref(var)));
        return b.g.build();
    }

    // ---- once per source ----

    /**
     * The appearance encoder's skips and the scaled sources of b source images (input
     * {@link #SOURCE}, (b, C, H, W)) with their keypoints (inputs {@link #SOURCE_MEAN},
     * {@link #SOURCE_VAR}): every result is kept; {@link #sourceLayout} names them.
     */
    public Graph prepare(int batch, int height, int width) {
        Build b = new Build("prepare " + batch + "x" + height + "x" + width);
        Value source = b.g.input(SOURCE, (long) batch * channels * height * width);
        Value mean = b.g.input(SOURCE_MEAN, 2L * batch * numKp);
        Value var = varSize == 0 ? null : b.g.input(SOURCE_VAR, (long) varSize * batch * numKp);
        Feat src = new Feat(source, channels, height, width);
        for (Feat f : b.encode(net.appearance.down(), src, batch)) {
            b.g.keep(f.v());
        }
        ModelConfig.GeneratorParams g = cfg.generator();
        if (g.denseMotion() != null) {
            Feat dm = b.nearestScale("dm.source.scaled", src, batch, g.denseMotion().scaleFactor());
            dm = b.nearestScale("dm.embedding.source", dm, batch, g.denseMotion().maskEmbedding().scaleFactor());
            b.g.keep(dm.v());
        }
        if (g.kpEmbedding() != null) {
            b.g.keep(b.nearestScale("kp_embedding.source", src, batch, g.kpEmbedding().scaleFactor()).v());
        }
        b.g.keep(mean);
        if (var != null) {
            b.g.keep(var);
        }
        return b.g.build();
    }

    /** Where {@link #prepare}'s graph leaves each part of a prepared source. */
    public SourceLayout sourceLayout(Graph prepared) {
        List<String> skips = new ArrayList<>();
        skips.add(SOURCE);
        for (ConvSpec c : net.appearance.down()) {
            skips.add(c.name() + ".pool");
        }
        ModelConfig.GeneratorParams g = cfg.generator();
        String dm = null;
        if (g.denseMotion() != null) {
            dm = prepared.has("dm.embedding.source") ? "dm.embedding.source"
                    : prepared.has("dm.source.scaled") ? "dm.source.scaled" : SOURCE;
        }
        String kpe = g.kpEmbedding() == null ? null : prepared.has("kp_embedding.source") ? "kp_embedding.source" : SOURCE;
        return new SourceLayout(skips, dm, kpe, SOURCE_MEAN, varSize == 0 ? null : SOURCE_VAR);
    }

    // ---- per frame ----

    /** The source keypoints repeated for each of the d frames of each of the b sources. */
    private Kp repeatSource(Build bd, Kp src, int b, int d) {
        Value mean = bd.temp("kp_source.mean.frames", 2L * b * d * numKp);
        bd.g.node(mean.name(), new Ops.InterpolateNearest(src.mean().all(), b, 1, 1, 2 * numKp, d, 1, 2 * numKp,
                Scales.nearest(1, d, null), 1f, 1f, mean.all()));
        Value var = null;
        if (varSize > 0) {
            var = bd.temp("kp_source.var.frames", (long) varSize * b * d * numKp);
            bd.g.node(var.name(), new Ops.InterpolateNearest(src.var().all(), b, 1, 1, varSize * numKp, d, 1,
                    varSize * numKp, Scales.nearest(1, d, null), 1f, 1f, var.all()));
        }
        return new Kp(mean, var);
    }

    /**
     * MovementEmbedding: src (b, C, h, w) is the already scaled source; returns (b*d, S*F, h, w).
     * Channels slot * F + feature: heatmap, difference (2), deformed source (C).
     */
    private Feat embed(Build bd, String name, ModelConfig.EmbeddingParams e, Feat src, int b, int d, Kp drv, Kp srcRep) {
        int n = b * d;
        int slots = e.slots(numKp);
        int f = e.featuresPerSlot(channels);
        int outC = slots * f;
        int h = src.h();
        int w = src.w();
        long plane = src.plane();
        boolean bg = e.addBackground();
        Value out = bd.temp(name, (long) n * outC * plane);
        int offset = 0;
        if (e.useHeatmap()) {
            bd.g.node(name + ".heatmap", new Ops.KpHeatmapEmbed(drv.mean().all(), bd.ref(drv.var()), srcRep.mean().all(),
                    bd.ref(srcRep.var()), cfg.common().kpVariance(), n, 1, numKp, h, w, e.normConst(),
                    e.differenceHeatmap(), bg, outC, f, out.all()));
            offset = 1;
        }
        if (e.useDifference()) {
            bd.g.node(name + ".difference", new Ops.KpDifferenceEmbed(drv.mean().all(), srcRep.mean().all(), n, 1, numKp,
                    h, w, bg, outC, f, offset, out.all()));
            offset += 2;
        }
        if (e.useDeformedSource()) {
            // Per (frame, slot): the shift (src - drv, zero for the background) as two planes, made
            // into a sampling grid (coordinate grid + shift, z = 0) by the flow kernel's correction-only path.
            Value shift = bd.temp(name + ".shift", (long) n * slots * 2 * plane);
            bd.g.node(shift.name(), new Ops.KpDifferenceEmbed(drv.mean().all(), srcRep.mean().all(), n, 1, numKp, h, w,
                    bg, slots * 2, 2, 0, shift.all()));
            Value grid = bd.temp(name + ".grid", (long) n * slots * plane * 3);
            bd.g.node(grid.name(), new Ops.DenseMotionFlow(shift.all(), null, null, n * slots, 2, 0, 1, h, w, false, true,
                    grid.all()));
            // One-frame source of batch item bi sampled for its d * slots grids: (b, C, d * slots, h, w).
            Value sampled = bd.temp(name + ".sampled", (long) b * channels * d * slots * plane);
            bd.g.node(sampled.name(), new Ops.GridSampleDepth1(src.v().all(), grid.all(), b, channels, h, w, d * slots,
                    h, w, Padding.ZEROS, true, sampled.all()));
            long perItem = (long) d * slots * plane;
            for (int bi = 0; bi < b; bi++) {
                Ref dst = out.slice(bi * perItem * f, perItem * f);
                for (int c = 0; c < channels; c++) {
                    // (d * slots) planes of channel c -> channel offset + c of every (frame, slot) group of f.
                    bd.g.node(name + ".deformed." + bi + "." + c, new Ops.ChannelAffine(
                            sampled.slice(((long) bi * channels + c) * perItem, perItem), null, null, d * slots, 1,
                            plane, Activation.NONE, f, offset + c, dst));
                }
            }
        }
        return new Feat(out, outC, h, w);
    }

    /** The dense-motion deformation (b*d, hd, wd, 3). */
    private Feat denseMotion(Build bd, Feat dmSource, int b, int d, Kp drv, Kp srcRep, boolean intermediates) {
        ModelConfig.DenseMotionParams dm = cfg.generator().denseMotion();
        int n = b * d;
        Feat x = embed(bd, MASK_EMBEDDING, dm.maskEmbedding(), dmSource, b, d, drv, srcRep);
        if (intermediates) {
            bd.g.output(x.v());
        }
        for (ConvSpec g : net.groupBlocks) {
            x = bd.conv(g, x, n);
        }
        Feat pred = bd.hourglass(net.denseMotion, x, n);
        Value deformation = bd.temp(DEFORMATION, (long) n * pred.plane() * 3);
        bd.g.node(DEFORMATION, new Ops.DenseMotionFlow(pred.v().all(), drv.mean().all(), srcRep.mean().all(), n,
                pred.c(), numKp, 1, pred.h(), pred.w(), dm.useMask(), dm.useCorrection(), deformation.all()));
        return new Feat(deformation, 3, pred.h(), pred.w());
    }

    /** The (h, w) of skip i of a (height, width) source, and its channels. */
    private int[] skipShape(int i, int height, int width) {
        int c = i == 0 ? channels : net.appearance.down()[i - 1].cout();
        return new int[] {c, height >> i, width >> i};
    }

    private int[] scaledShape(int height, int width, double... factors) {
        int h = height;
        int w = width;
        for (double s : factors) {
            if (s != 1) {
                h = Scales.outputSize(h, s);
                w = Scales.outputSize(w, s);
            }
        }
        return new int[] {h, w};
    }

    /**
     * The generator for d driving frames of b prepared sources of (height, width): inputs
     * {@link #DRIVING_MEAN} and {@link #DRIVING_VAR} (normalised keypoints, b*d frames), the
     * prepared source as externals ({@link SourceLayout#bindings}); outputs
     * {@link #VIDEO_PREDICTION} (b, C, d, H, W), {@link #VIDEO_DEFORMED} (b, C, d, H, W) and
     * {@link #DEFORMATION} (b*d, hd, wd, 3); with {@code intermediates} also {@link #MASK_EMBEDDING}.
     */
    public Graph generate(int b, int d, int height, int width, boolean intermediates) {
        Build bd = new Build("generate " + b + "x" + d + "x" + height + "x" + width);
        int n = b * d;
        ModelConfig.GeneratorParams g = cfg.generator();
        List<Feat> skips = new ArrayList<>();
        for (int i = 0; i <= net.appearance.down().length; i++) {
            int[] s = skipShape(i, height, width);
            skips.add(new Feat(bd.g.external("ext.skip" + i, (long) b * s[0] * s[1] * s[2]), s[0], s[1], s[2]));
        }
        Feat dmSource = null;
        if (g.denseMotion() != null) {
            int[] s = scaledShape(height, width, g.denseMotion().scaleFactor(), g.denseMotion().maskEmbedding().scaleFactor());
            dmSource = new Feat(bd.g.external("ext.dm_source", (long) b * channels * s[0] * s[1]), channels, s[0], s[1]);
        }
        Feat kpeSource = null;
        if (g.kpEmbedding() != null) {
            int[] s = scaledShape(height, width, g.kpEmbedding().scaleFactor());
            kpeSource = new Feat(bd.g.external("ext.kpe_source", (long) b * channels * s[0] * s[1]), channels, s[0], s[1]);
        }
        Kp src = new Kp(bd.g.external("ext.source_mean", 2L * b * numKp),
                varSize == 0 ? null : bd.g.external("ext.source_var", (long) varSize * b * numKp));
        Kp drv = new Kp(bd.g.input(DRIVING_MEAN, 2L * n * numKp),
                varSize == 0 ? null : bd.g.input(DRIVING_VAR, (long) varSize * n * numKp));

        Feat source = skips.get(0);
        Kp srcRep = repeatSource(bd, src, b, d);
        Feat deformation;
        if (g.denseMotion() != null) {
            deformation = denseMotion(bd, dmSource, b, d, drv, srcRep, intermediates);
        } else {
            Value id = bd.temp(DEFORMATION, (long) n * source.plane() * 3);
            bd.g.node(DEFORMATION, new Ops.DenseMotionFlow(null, null, null, n, 0, 0, 1, source.h(), source.w(), false,
                    false, id.all()));
            deformation = new Feat(id, 3, source.h(), source.w());
        }
        bd.g.output(deformation.v());
        Value first = bd.temp("deformation.channels_first", (long) n * 3 * deformation.plane());
        bd.g.node(first.name(), new Ops.ChannelsLastToFirst(deformation.v().all(), n, deformation.plane(), 3, first.all()));
        Feat defFirst = new Feat(first, 3, deformation.h(), deformation.w());
        int a = net.kpEmbeddingChannels;
        Feat kpEmb = a == 0 ? null : embed(bd, "kp_embedding", g.kpEmbedding(), kpeSource, b, d, drv, srcRep);

        List<Feat> warped = new ArrayList<>();
        for (int i = 0; i < skips.size(); i++) {
            Feat skip = skips.get(i);
            long plane = skip.plane();
            Feat resized = bd.resize("skip" + i + ".deformation", defFirst, n, skip.h(), skip.w());
            Value grid = bd.temp("skip" + i + ".grid", (long) n * plane * 3);
            bd.g.node(grid.name(), new Ops.ChannelsFirstToLast(resized.v().all(), n, plane, 3, grid.all()));
            // (b, c, d, h, w): the depth-1 kernel samples each source for its d frames.
            Value sampled = bd.temp(i == 0 ? VIDEO_DEFORMED : "skip" + i + ".deformed", (long) b * skip.c() * d * plane);
            bd.g.node(sampled.name(), new Ops.GridSampleDepth1(skip.v().all(), grid.all(), b, skip.c(), skip.h(),
                    skip.w(), d, skip.h(), skip.w(), Padding.ZEROS, true, sampled.all()));
            if (i == 0) {
                bd.g.output(sampled);
            }
            int catC = skip.c() + a;
            Value cat = bd.temp("skip" + i + ".cat", (long) n * catC * plane);
            bd.g.node(cat.name(), new Ops.CopyStrided(sampled.all(), new int[] {b, skip.c(), d, Math.toIntExact(plane)},
                    new long[] {(long) skip.c() * d * plane, d * plane, plane, 1}, cat.all(),
                    new long[] {(long) d * catC * plane, plane, catC * plane, 1}));
            if (kpEmb != null) {
                Feat e = bd.resize("skip" + i + ".kp_embedding", kpEmb, n, skip.h(), skip.w());
                bd.g.node(cat.name() + ".kp_embedding", new Ops.ChannelAffine(e.v().all(), null, null, n, a, plane,
                        Activation.NONE, catC, skip.c(), cat.all()));
            }
            warped.add(new Feat(cat, catC, skip.h(), skip.w()));
        }
        Feat x = bd.decode(net.videoDecoder, warped, n);
        for (MonkeyNetParams.ResBlock r : net.refinement) {
            x = bd.resBlock(r.scale(), r.shift(), r.conv1(), r.conv2(), x, n);
        }
        Feat last = bd.conv(net.convLast, x, n);
        Value sig = bd.temp("video_prediction.frames", (long) n * channels * last.plane());
        bd.g.node(sig.name(), new Ops.ChannelAffine(last.v().all(), null, null, n, channels, last.plane(),
                Activation.SIGMOID, channels, 0, sig.all()));
        long plane = last.plane();
        Value prediction = bd.g.output(bd.temp(VIDEO_PREDICTION, (long) n * channels * plane));
        bd.g.node(VIDEO_PREDICTION, new Ops.CopyStrided(sig.all(), new int[] {b, d, channels, Math.toIntExact(plane)},
                new long[] {(long) d * channels * plane, channels * plane, plane, 1}, prediction.all(),
                new long[] {(long) channels * d * plane, plane, d * plane, 1}));
        return bd.g.build();
    }
}
