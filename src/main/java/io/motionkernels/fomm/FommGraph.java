package io.motionkernels.fomm;

import io.motionkernels.model.FommConfig;
import io.motionkernels.cpu.FommKernels;
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
 * First Order Motion Model as data (FOMM.md): the keypoint detector and the generator (with its
 * dense-motion network) as {@link Graph}s of {@link Ops}, on the same executor and devices as
 * Monkey-Net. Everything is 2-D NCHW with the n images as the batch; keypoint values are
 * (n, K, 2), jacobians (n, K, 4) row-major. Sampling grids carry a third component 0, which
 * makes the depth-1 grid_sample the 2-D one with align_corners true.
 */
public final class FommGraph {
    public static final String IMAGE = "image";
    public static final String VALUE = "value";
    public static final String JACOBIAN = "jacobian";
    public static final String HEATMAP_LOGITS = "heatmap_logits";
    public static final String SOURCE = "source";
    public static final String SOURCE_VALUE = "kp_source.value";
    public static final String SOURCE_JACOBIAN = "kp_source.jacobian";
    public static final String DRIVING_VALUE = "kp_driving.value";
    public static final String DRIVING_JACOBIAN = "kp_driving.jacobian";
    public static final String PREDICTION = "prediction";
    /** Intermediate outputs of {@link #generate} with intermediates, named as the reference cases name them. */
    public static final List<String> INTERMEDIATES = List.of("source_down", "heatmap_representation", "sparse_motion",
            "sparse_deformed", "mask", "deformation", "occlusion_map", "deformed");

    private final FommParams net;
    private final FommConfig cfg;
    private final int channels;
    private final int numKp;

    public FommGraph(FommParams net) {
        this.net = net;
        this.cfg = net.config;
        this.channels = cfg.numChannels();
        this.numKp = cfg.numKp();
    }

    public FommConfig config() {
        return cfg;
    }

    /** One graph under construction. */
    private static final class Build extends Layers {
        Build(String name) {
            super(name);
        }

        /** FOMM's Hourglass: [block output, skip] concatenations; the result has E + Cin channels. */
        Feat hourglass(FommParams.Hourglass hg, Feat x, int n) {
            List<Feat> skips = new ArrayList<>();
            skips.add(x);
            for (ConvSpec c : hg.down()) {
                x = pool(c.name() + ".pool", conv(c, x, n), n);
                skips.add(x);
            }
            int k = skips.size() - 1;
            Feat out = skips.get(k--);
            for (ConvSpec c : hg.up()) {
                Feat skip = skips.get(k--);
                int h = out.h() * 2;
                int w = out.w() * 2;
                int catC = c.cout() + skip.c();
                Value cat = temp(c.name() + ".cat", (long) n * catC * h * w);
                conv(c, out, n, 2, null, cat, catC, 0);
                g.node(c.name() + ".skip", new Ops.ChannelAffine(skip.v().all(), null, null, n, skip.c(), (long) h * w,
                        Activation.NONE, catC, c.cout(), cat.all()));
                out = new Feat(cat, catC, h, w);
            }
            return out;
        }

        Feat antialias(String name, FommParams.AntiAlias aa, Feat x, int n) {
            if (aa == null) {
                return x;
            }
            int h = FommKernels.antialiasOutput(x.h(), aa.stride());
            int w = FommKernels.antialiasOutput(x.w(), aa.stride());
            Value out = temp(name, (long) n * x.c() * h * w);
            g.node(name, new Ops.AntiAlias(x.v().all(), g.constant(name + ".kernel", aa.kernel()).all(), n * x.c(),
                    x.h(), x.w(), aa.k(), aa.stride(), out.all()));
            return new Feat(out, x.c(), h, w);
        }

        /** The inner (h - 2 crop) x (w - 2 crop) window of every plane (a 7x7 head with padding 3 - crop). */
        Feat crop(String name, Feat x, int n, int crop) {
            if (crop == 0) {
                return x;
            }
            int h = x.h() - 2 * crop;
            int w = x.w() - 2 * crop;
            Value out = temp(name, (long) n * x.c() * h * w);
            long start = (long) crop * x.w() + crop;
            g.node(name, new Ops.CopyStrided(x.v().slice(start, x.v().floats() - start), new int[] {1, n * x.c(), h, w},
                    new long[] {x.v().floats(), x.plane(), x.w(), 1}, out.all(), new long[] {out.floats(), (long) h * w, w, 1}));
            return new Feat(out, x.c(), h, w);
        }

        /** Bilinear resize (align_corners false) of every plane to (h, w); the input itself when the size is the same. */
        Feat resize(String name, Feat x, int n, int h, int w) {
            if (x.h() == h && x.w() == w) {
                return x;
            }
            Value out = temp(name, (long) n * x.c() * h * w);
            g.node(name, new Ops.InterpolateTrilinear(x.v().all(), n * x.c(), 1, x.h(), x.w(), 1, h, w, 1f,
                    Scales.linear(x.h(), h, null), Scales.linear(x.w(), w, null), out.all()));
            return new Feat(out, x.c(), h, w);
        }

        /** A grid (n, h, w, 3) resized as FOMM resizes its deformation, to (h, w); itself when the size is the same. */
        Value resizeGrid(String name, Value grid, int n, int gh, int gw, int h, int w) {
            if (gh == h && gw == w) {
                return grid;
            }
            long plane = (long) gh * gw;
            Value first = temp(name + ".channels_first", n * 3 * plane);
            g.node(first.name(), new Ops.ChannelsLastToFirst(grid.all(), n, plane, 3, first.all()));
            Feat r = resize(name + ".resized", new Feat(first, 3, gh, gw), n, h, w);
            Value out = temp(name, (long) n * h * w * 3);
            g.node(name, new Ops.ChannelsFirstToLast(r.v().all(), n, (long) h * w, 3, out.all()));
            return out;
        }

        /** A contiguous copy of {@code src} into a fresh output value called {@code name}. */
        void outputCopy(String name, Ref src) {
            long n = src.floats();
            output(name, src, new int[] {1, 1, 1, Math.toIntExact(n)}, new long[] {n, n, n, 1}, n, new long[] {n, n, n, 1});
        }

        /** The (x, y) of every point of a grid (points, 3) into a fresh output value (points, 2). */
        void outputXY(String name, Value grid, long points) {
            output(name, grid.all(), new int[] {1, 1, Math.toIntExact(points), 2}, new long[] {3 * points, 3 * points, 3, 1},
                    2 * points, new long[] {2 * points, 2 * points, 2, 1});
        }

        /** A strided copy into a fresh output value (for the cases' intermediate layouts). */
        void output(String name, Ref src, int[] dims, long[] srcStrides, long floats, long[] dstStrides) {
            Value out = g.output(temp(name, floats));
            g.node(name, new Ops.CopyStrided(src, dims, srcStrides, out.all(), dstStrides));
        }
    }

    /** Checks that images of (height, width) fit the configuration (see {@link FommConfig#checkSize}). */
    public void checkSize(int height, int width) {
        cfg.checkSize(height, width);
    }

    /** The shape of intermediate output {@code name} of {@link #generate} for n images of (height, width). */
    public int[] intermediateShape(String name, int n, int height, int width) {
        int[] d = cfg.denseMotionSize(height, width);
        int h = d[0];
        int w = d[1];
        int k1 = numKp + 1;
        return switch (name) {
            case "source_down" -> new int[] {n, channels, h, w};
            case "heatmap_representation", "mask" -> new int[] {n, k1, h, w};
            case "sparse_motion" -> new int[] {n, k1, h, w, 2};
            case "sparse_deformed" -> new int[] {n, k1, channels, h, w};
            case "deformation" -> new int[] {n, h, w, 2};
            case "occlusion_map" -> new int[] {n, 1, h, w};
            case "deformed" -> new int[] {n, channels, height, width};
            default -> throw new IllegalArgumentException("no intermediate output '" + name + "'");
        };
    }

    /** The heatmap size (h', w') of the detector for images of (height, width). */
    public int[] heatmapSize(int height, int width) {
        return cfg.heatmapSize(height, width);
    }

    /**
     * The keypoint detector on n images {@link #IMAGE} (n, C, H, W): outputs {@link #VALUE}
     * (n, K, 2), {@link #JACOBIAN} (n, K, 4) when the configuration estimates jacobians, and with
     * {@code intermediates} {@link #HEATMAP_LOGITS} (n, K, h', w').
     */
    public Graph detect(int n, int height, int width, boolean intermediates) {
        checkSize(height, width);
        Build b = new Build("fomm detect " + n + "x" + height + "x" + width);
        Feat x = new Feat(b.g.input(IMAGE, (long) n * channels * height * width), channels, height, width);
        x = b.antialias("kp.down", net.kpDown, x, n);
        Feat f = b.hourglass(net.kpPredictor, x, n);
        int crop = 3 - cfg.kpDetector().pad();
        Feat logits = b.crop("kp.logits", b.conv(net.kpHead, f, n), n, crop);
        if (intermediates) {
            b.outputCopy(HEATMAP_LOGITS, logits.v().all());
        }
        Value heat = b.temp("kp.heatmap", logits.v().floats());
        b.g.node(heat.name(), new Ops.SoftmaxPixels(logits.v().all(), (long) n * numKp, Math.toIntExact(logits.plane()),
                cfg.kpDetector().temperature(), heat.all()));
        Value value = b.g.output(b.temp(VALUE, 2L * n * numKp));
        Value jac = null;
        Feat maps = null;
        int j = cfg.kpDetector().jacobianMaps(numKp);
        if (net.jacobianHead != null) {
            maps = b.crop("kp.jacobian_maps", b.conv(net.jacobianHead, f, n), n, crop);
            jac = b.g.output(b.temp(JACOBIAN, 4L * n * numKp));
        }
        b.g.node(VALUE, new Ops.HeatmapKeypoints(heat.all(), maps == null ? null : maps.v().all(), n, numKp, j,
                logits.h(), logits.w(), value.all(), jac == null ? null : jac.all()));
        return b.g.build();
    }

    /** Where {@link #prepare}'s graph leaves a prepared source: the kept values, by role (null where absent). */
    public record SourceLayout(String features, String sourceDown, String source) {
        /** Every role with the name of the external value the generate graph reads it through. */
        public List<String[]> bindings(boolean intermediates) {
            List<String[]> out = new ArrayList<>();
            out.add(new String[] {EXT_FEATURES, features});
            if (sourceDown != null) {
                out.add(new String[] {EXT_SOURCE_DOWN, sourceDown});
            }
            if (intermediates && source != null) {
                out.add(new String[] {EXT_SOURCE, source});
            }
            return out;
        }
    }

    static final String EXT_FEATURES = "ext.features";
    static final String EXT_SOURCE_DOWN = "ext.source_down";
    static final String EXT_SOURCE = "ext.source";

    /**
     * Once per source: the generator's encoded features of b source images {@link #SOURCE}
     * (b, C, H, W), and the antialiased copy the dense-motion network samples; every result is
     * kept (see {@link #sourceLayout}).
     */
    public Graph prepare(int batch, int height, int width) {
        checkSize(height, width);
        Build b = new Build("fomm prepare " + batch + "x" + height + "x" + width);
        Value source = b.g.input(SOURCE, (long) batch * channels * height * width);
        Feat src = new Feat(source, channels, height, width);
        Feat x = b.conv(net.first, src, batch);
        for (ConvSpec d : net.down) {
            x = b.pool(d.name() + ".pool", b.conv(d, x, batch), batch);
        }
        b.g.keep(x.v());
        if (net.dmHourglass != null) {
            b.g.keep(b.antialias("dm.source_down", net.dmDown, src, batch).v());
            b.g.keep(source);
        }
        return b.g.build();
    }

    /** The roles of {@link #prepare}'s kept values. */
    public SourceLayout sourceLayout() {
        String features = net.down.length == 0 ? net.first.name() : net.down[net.down.length - 1].name() + ".pool";
        if (net.dmHourglass == null) {
            return new SourceLayout(features, null, null);
        }
        return new SourceLayout(features, net.dmDown == null ? SOURCE : "dm.source_down", SOURCE);
    }

    private int[] featureShape(int height, int width) {
        int d = net.down.length;
        int c = d == 0 ? net.first.cout() : net.down[d - 1].cout();
        return new int[] {c, height >> d, width >> d};
    }

    /**
     * The generator for d driving frames of each of b prepared sources of (height, width): the
     * prepared source as externals ({@link SourceLayout#bindings}), inputs {@link #SOURCE_VALUE},
     * {@link #DRIVING_VALUE} (n = b d frames, K, 2; the source's keypoints repeated for each of its
     * frames) and, with jacobians, {@link #SOURCE_JACOBIAN}, {@link #DRIVING_JACOBIAN} (n, K, 4);
     * output {@link #PREDICTION} (n, C, H, W), frame-major, and with {@code intermediates} (d = 1
     * only) those of {@link #INTERMEDIATES} the configuration has, in the reference cases' layouts.
     */
    public Graph generate(int batch, int frames, int height, int width, boolean intermediates) {
        checkSize(height, width);
        if (intermediates && frames != 1) {
            throw new IllegalArgumentException("intermediate results are for one frame per source");
        }
        int n = batch * frames;
        Build b = new Build("fomm generate " + batch + "x" + frames + "x" + height + "x" + width);
        boolean jac = cfg.estimateJacobian();
        Value srcValue = b.g.input(SOURCE_VALUE, 2L * n * numKp);
        Value drvValue = b.g.input(DRIVING_VALUE, 2L * n * numKp);
        Value srcJac = jac ? b.g.input(SOURCE_JACOBIAN, 4L * n * numKp) : null;
        Value drvJac = jac ? b.g.input(DRIVING_JACOBIAN, 4L * n * numKp) : null;
        int[] fs = featureShape(height, width);
        Feat features = new Feat(b.g.external(EXT_FEATURES, (long) batch * fs[0] * fs[1] * fs[2]), fs[0], fs[1], fs[2]);
        Feat x;
        if (net.dmHourglass != null) {
            int[] dm = cfg.denseMotionSize(height, width);
            Feat down = new Feat(b.g.external(EXT_SOURCE_DOWN, (long) batch * channels * dm[0] * dm[1]), channels, dm[0],
                    dm[1]);
            Feat src = !intermediates ? null
                    : new Feat(b.g.external(EXT_SOURCE, (long) batch * channels * height * width), channels, height, width);
            x = warp(b, src, down, features, batch, frames, srcValue, srcJac, drvValue, drvJac, intermediates);
        } else if (frames == 1) {
            x = features;
        } else {
            // the features of each source, once for each of its frames
            long per = (long) fs[0] * features.plane();
            Value rep = b.temp("features.frames", n * per);
            int w = Math.toIntExact(per);
            b.g.node(rep.name(), new Ops.InterpolateNearest(features.v().all(), batch, 1, 1, w, frames, 1, w,
                    Scales.nearest(1, frames, null), 1f, 1f, rep.all()));
            x = new Feat(rep, fs[0], fs[1], fs[2]);
        }
        for (FommParams.ResBlock r : net.bottleneck) {
            x = b.resBlock(r.scale(), r.shift(), r.conv1(), r.conv2(), x, n);
        }
        for (ConvSpec u : net.up) {
            x = b.convUp(u, x, n);
        }
        Feat last = b.conv(net.fin, x, n);
        Value prediction = b.g.output(b.temp(PREDICTION, (long) n * channels * last.plane()));
        b.g.node(PREDICTION, new Ops.ChannelAffine(last.v().all(), null, null, n, channels, last.plane(),
                Activation.SIGMOID, channels, 0, prediction.all()));
        return b.g.build();
    }

    /**
     * The dense-motion network on the prepared antialiased sources {@code s} (batch, C, h, w) for
     * their frames, then the prepared features warped and occluded: (n, F, hf, wf), frame-major.
     * {@code src} (the full-size sources) only for the {@code deformed} intermediate.
     */
    private Feat warp(Build b, Feat src, Feat s, Feat features, int batch, int frames, Value srcValue, Value srcJac,
                      Value drvValue, Value drvJac, boolean intermediates) {
        FommConfig.DenseMotion dm = cfg.generator().denseMotion();
        int n = batch * frames;
        int k1 = numKp + 1;
        int c1 = channels + 1;
        int h = s.h();
        int w = s.w();
        long plane = s.plane();
        if (intermediates) {
            b.outputCopy("source_down", s.v().all());
        }
        // The hourglass input, interleaved per slot: [heatmap, the C channels of the deformed source].
        int inC = k1 * c1;
        Value in = b.temp("dm.input", (long) n * inC * plane);
        b.g.node("dm.heatmaps", new Ops.KpHeatmapEmbed(drvValue.all(), null, srcValue.all(), null,
                KpVariance.constant(dm.kpVariance()), n, 1, numKp, h, w, 1.0, true, true, inC, c1, in.all()));
        Value motion = b.temp("dm.sparse_motion", 3L * n * k1 * plane);
        b.g.node(motion.name(), new Ops.SparseMotion(srcValue.all(), srcJac == null ? null : srcJac.all(),
                drvValue.all(), drvJac == null ? null : drvJac.all(), n, numKp, h, w, motion.all()));
        // each source sampled by the k1 motions of each of its frames: (batch, C, frames * k1, h, w)
        Value deformedSlots = b.temp("dm.sparse_deformed", (long) n * channels * k1 * plane);
        b.g.node(deformedSlots.name(), new Ops.GridSampleDepth1(s.v().all(), motion.all(), batch, channels, h, w,
                frames * k1, h, w, Padding.ZEROS, true, deformedSlots.all()));
        long perSource = (long) channels * frames * k1 * plane;
        for (int bi = 0; bi < batch; bi++) {
            long to = (long) bi * frames * inC * plane + plane; // channel 1 of slot 0 of the source's first frame
            b.g.node("dm.input.deformed." + bi, new Ops.CopyStrided(deformedSlots.slice(bi * perSource, perSource),
                    new int[] {channels, frames, k1, Math.toIntExact(plane)},
                    new long[] {(long) frames * k1 * plane, k1 * plane, plane, 1},
                    in.slice(to, in.floats() - to), new long[] {plane, (long) inC * plane, c1 * plane, 1}));
        }
        if (intermediates) {
            b.output("heatmap_representation", in.all(), new int[] {1, n, k1, Math.toIntExact(plane)},
                    new long[] {in.floats(), inC * plane, c1 * plane, 1}, (long) n * k1 * plane,
                    new long[] {(long) n * k1 * plane, k1 * plane, plane, 1});
            b.outputXY("sparse_motion", motion, (long) n * k1 * plane);
            b.output("sparse_deformed", deformedSlots.all(), new int[] {n, channels, k1, Math.toIntExact(plane)},
                    new long[] {(long) channels * k1 * plane, k1 * plane, plane, 1}, (long) n * k1 * channels * plane,
                    new long[] {(long) k1 * channels * plane, plane, channels * plane, 1});
        }
        Feat p = b.hourglass(net.dmHourglass, new Feat(in, inC, h, w), n);
        Feat logits = b.conv(net.mask, p, n);
        Value mask = b.temp("dm.mask", (long) n * k1 * plane);
        b.g.node(mask.name(), new Ops.SoftmaxChannels(logits.v().all(), n, k1, k1, plane, mask.all()));
        Value deformation = b.temp("dm.deformation", 3L * n * plane);
        b.g.node(deformation.name(), new Ops.CombineMotion(mask.all(), motion.all(), n, k1, plane, deformation.all()));
        Feat occlusion = null;
        if (net.occlusion != null) {
            Feat o = b.conv(net.occlusion, p, n);
            Value sig = b.temp("dm.occlusion_map", (long) n * plane);
            b.g.node(sig.name(), new Ops.ChannelAffine(o.v().all(), null, null, n, 1, plane, Activation.SIGMOID, 1, 0,
                    sig.all()));
            occlusion = new Feat(sig, 1, h, w);
        }
        if (intermediates) {
            b.outputCopy("mask", mask.all());
            b.outputXY("deformation", deformation, (long) n * plane);
            if (occlusion != null) {
                b.outputCopy("occlusion_map", occlusion.v().all());
            }
            Value full = b.resizeGrid("deformed.grid", deformation, n, h, w, src.h(), src.w());
            Value deformed = b.g.output(b.temp("deformed", (long) n * channels * src.plane()));
            b.g.node(deformed.name(), new Ops.GridSampleDepth1(src.v().all(), full.all(), n, channels, src.h(), src.w(),
                    1, src.h(), src.w(), Padding.ZEROS, true, deformed.all()));
        }
        Value grid = b.resizeGrid("warp.grid", deformation, n, h, w, features.h(), features.w());
        long fPlane = features.plane();
        int fc = features.c();
        // each source's features sampled by the deformation of each of its frames: (batch, F, frames, hf, wf)
        Value warped = b.temp("warped", (long) n * fc * fPlane);
        b.g.node(warped.name(), new Ops.GridSampleDepth1(features.v().all(), grid.all(), batch, fc, features.h(),
                features.w(), frames, features.h(), features.w(), Padding.ZEROS, true, warped.all()));
        if (frames > 1) {
            Value framesMajor = b.temp("warped.frames", (long) n * fc * fPlane);
            b.g.node(framesMajor.name(), new Ops.CopyStrided(warped.all(),
                    new int[] {batch, fc, frames, Math.toIntExact(fPlane)},
                    new long[] {(long) fc * frames * fPlane, frames * fPlane, fPlane, 1}, framesMajor.all(),
                    new long[] {(long) frames * fc * fPlane, fPlane, fc * fPlane, 1}));
            warped = framesMajor;
        }
        Feat out = new Feat(warped, fc, features.h(), features.w());
        if (occlusion != null) {
            Feat occ = b.resize("occlusion.resized", occlusion, n, features.h(), features.w());
            Value scaled = b.temp("occluded", (long) n * fc * fPlane);
            b.g.node(scaled.name(), new Ops.ScalePixels(warped.all(), occ.v().all(), n, fc, fPlane, scaled.all()));
            out = new Feat(scaled, fc, features.h(), features.w());
        }
        return out;
    }
}
