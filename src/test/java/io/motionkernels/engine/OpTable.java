package io.motionkernels.engine;

import io.motionkernels.engine.Graph.Value;
import io.motionkernels.engine.OpCase.Setup;
import io.motionkernels.engine.OpCase.Tolerance;
import io.motionkernels.tensor.KpVariance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The op harness's one table: cases for every record of {@link Ops}, each a one-node graph on
 * seeded random inputs. Sizes are odd on purpose (not multiples of a warp, a block or 256),
 * with single-pixel maps and, for a few cases each, the sizes the vox model (256x256, 10
 * keypoints, matrix variance) really runs at. Outputs an operation writes in full are poisoned
 * (an unwritten value is NaN); outputs it writes in part (a channel slice, an offset window)
 * start as random data and are compared whole.
 */
public final class OpTable {
    private OpTable() {
    }

    private static final KpVariance CONSTANT = KpVariance.constant(0.01);

    public static List<OpCase> all() {
        List<OpCase> t = new ArrayList<>();
        conv(t);
        copyStrided(t);
        interpolate(t);
        avgPool(t);
        channelAffine(t);
        transposes(t);
        softmax(t);
        gaussian2kp(t);
        heatmapEmbed(t);
        differenceEmbed(t);
        denseMotionFlow(t);
        gridSample(t);
        fomm(t);
        return t;
    }

    private static void add(List<OpCase> t, String name, Tolerance tol, Consumer<Setup> recipe) {
        t.add(new OpCase(name, tol, recipe));
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    // ---- convolutions ----

    private static void conv(List<OpCase> t) {
        // name, cin, cout, k, groups, act, n, h, w, up, residual, yChannels, yOffset
        conv(t, "k3 3->64 relu 256x256 (vox appearance down 0)", 3, 64, 3, 1, Activation.RELU, 1, 256, 256, 1, false, 64, 0);
        conv(t, "k3 5->7 33x47 n2", 5, 7, 3, 1, Activation.NONE, 2, 33, 47, 1, false, 7, 0);
        conv(t, "k3 4->3 relu 1x1 n3", 4, 3, 3, 1, Activation.RELU, 3, 1, 1, 1, false, 3, 0);
        conv(t, "k1 46->3 256x256 (vox conv-last)", 46, 3, 1, 1, Activation.NONE, 1, 256, 256, 1, false, 3, 0);
        conv(t, "k5 3->5 relu 9x13", 3, 5, 5, 1, Activation.RELU, 1, 9, 13, 1, false, 5, 0);
        conv(t, "k3 46->46 residual 37x29 n2 (refinement conv2)", 46, 46, 3, 1, Activation.NONE, 2, 37, 29, 1, true, 46, 0);
        conv(t, "k3 6->6 residual relu 17x19", 6, 6, 3, 1, Activation.RELU, 1, 17, 19, 1, true, 6, 0);
        conv(t, "k3 4->4 residual 1x1 n2", 4, 4, 3, 1, Activation.NONE, 2, 1, 1, 1, true, 4, 0);
        conv(t, "k3 128->32 up2 relu 32x32->64x64 (vox kp detector up 4)", 128, 32, 3, 1, Activation.RELU, 1, 32, 32, 2,
                false, 32, 0);
        conv(t, "k3 6->5 up2 relu 7x9->14x18 n2", 6, 5, 3, 1, Activation.RELU, 2, 7, 9, 2, false, 5, 0);
        conv(t, "k3 3->2 up2 1x1->2x2", 3, 2, 3, 1, Activation.NONE, 1, 1, 1, 2, false, 2, 0);
        conv(t, "k3 10->6 up2 relu 9x7 into [0,6) of 11 n2 (up block into its concatenation)", 10, 6, 3, 1,
                Activation.RELU, 2, 9, 7, 2, false, 11, 0);
        conv(t, "k3 5->4 13x11 into [3,7) of 9 n2", 5, 4, 3, 1, Activation.NONE, 2, 13, 11, 1, false, 9, 3);
        conv(t, "k3 4->3 residual relu 11x7 into [2,5) of 6", 4, 3, 3, 1, Activation.RELU, 1, 11, 7, 1, true, 6, 2);
        conv(t, "k1 grouped 44->44 g11 relu 64x64 n2 (vox group blocks)", 44, 44, 1, 11, Activation.RELU, 2, 64, 64, 1,
                false, 44, 0);
        conv(t, "k1 grouped 6->9 g3 13x11", 6, 9, 1, 3, Activation.NONE, 1, 13, 11, 1, false, 9, 0);
        conv(t, "k3 grouped 6->4 g2 relu 9x7 n2", 6, 4, 3, 2, Activation.RELU, 2, 9, 7, 1, false, 4, 0);
    }

    private static void conv(List<OpCase> t, String label, int cin, int cout, int k, int groups, Activation act, int n,
                             int h, int w, int up, boolean residual, int yChannels, int yOffset) {
        add(t, "conv/" + label, Tolerance.CONV, s -> {
            int fanIn = cin / groups * k * k;
            float scale = (float) (1 / Math.sqrt(fanIn));
            float[] weight = s.uniform((long) cout * fanIn, -scale, scale);
            float[] bias = s.uniform(cout, -0.1f, 0.1f);
            ConvSpec spec = new ConvSpec("conv", cin, cout, k, groups, weight, bias, act);
            Value x = s.uniform("x", (long) n * cin * h * w, -1, 1);
            long plane = (long) h * w * up * up;
            Value res = residual ? s.uniform("residual", (long) n * cout * plane, -1, 1) : null;
            long yFloats = (long) n * yChannels * plane;
            Value y = yChannels == cout ? s.output("y", yFloats) : s.prefilledOutput("y", yFloats);
            Value ws = s.workspace("workspace");
            s.node(new Ops.Conv(spec, x.all(), n, h, w, up, res == null ? null : res.all(), y.all(), yChannels, yOffset,
                    ws.all()));
        });
    }

    // ---- strided copies ----

    private static void copyStrided(List<OpCase> t) {
        for (int[] s : new int[][] {{1, 2, 3, 256 * 256}, {2, 3, 3, 37 * 29}}) {
            int b = s[0];
            int d = s[1];
            int c = s[2];
            int p = s[3];
            // video_prediction: frames-major (b, d, c, plane) to channel-major (b, c, d, plane)
            add(t, f("copy_strided/frames to channel-major b%d d%d c%d plane %d%s", b, d, c, p,
                    p == 65536 ? " (vox video_prediction)" : ""), Tolerance.EXACT, st -> {
                long n = (long) b * d * c * p;
                Value src = st.uniform("src", n, -1, 1);
                Value dst = st.output("dst", n);
                st.node(new Ops.CopyStrided(src.all(), new int[] {b, d, c, p},
                        new long[] {(long) d * c * p, (long) c * p, p, 1}, dst.all(),
                        new long[] {(long) c * d * p, p, (long) d * p, 1}));
            });
        }
        // a skip's warped (b, c, d, plane) into the first c channels of its (b*d, catC, plane) concatenation
        add(t, "copy_strided/into a channel slice b2 c5 d3 of 8 channels 13x11", Tolerance.EXACT, st -> {
            int b = 2;
            int c = 5;
            int d = 3;
            int cat = 8;
            int p = 13 * 11;
            Value src = st.uniform("src", (long) b * c * d * p, -1, 1);
            Value dst = st.prefilledOutput("dst", (long) b * d * cat * p);
            st.node(new Ops.CopyStrided(src.all(), new int[] {b, c, d, p}, new long[] {(long) c * d * p, (long) d * p, p, 1},
                    dst.all(), new long[] {(long) d * cat * p, p, (long) cat * p, 1}));
        });
        add(t, "copy_strided/offset views, last two axes transposed 2x3x5x7", Tolerance.EXACT, st -> {
            Value src = st.uniform("src", 13 + 210 + 4, -1, 1);
            Value dst = st.prefilledOutput("dst", 7 + 210 + 5);
            st.node(new Ops.CopyStrided(src.slice(13, 210), new int[] {2, 3, 5, 7}, new long[] {105, 35, 1, 5},
                    dst.slice(7, 210), new long[] {105, 35, 7, 1}));
        });
        add(t, "copy_strided/one value between offset views", Tolerance.EXACT, st -> {
            Value src = st.uniform("src", 5, -1, 1);
            Value dst = st.prefilledOutput("dst", 4);
            st.node(new Ops.CopyStrided(src.slice(3, 1), new int[] {1, 1, 1, 1}, new long[] {1, 1, 1, 1}, dst.slice(2, 1),
                    new long[] {1, 1, 1, 1}));
        });
        add(t, "copy_strided/strided innermost axis 3x1x4x5 (gather every 3rd value)", Tolerance.EXACT, st -> {
            Value src = st.uniform("src", 3 * 4 * 5 * 3, -1, 1);
            Value dst = st.output("dst", 3 * 4 * 5);
            st.node(new Ops.CopyStrided(src.all(), new int[] {3, 1, 4, 5}, new long[] {60, 60, 15, 3}, dst.all(),
                    new long[] {20, 20, 5, 1}));
        });
    }

    // ---- interpolation ----

    private static void nearest(List<OpCase> t, String label, int nc, int di, int hi, int wi, int od, int ho, int wo,
                                float sd, float sh, float sw) {
        add(t, "interpolate_nearest/" + label, Tolerance.EXACT, s -> {
            Value in = s.uniform("in", (long) nc * di * hi * wi, -1, 1);
            Value out = s.output("out", (long) nc * od * ho * wo);
            s.node(new Ops.InterpolateNearest(in.all(), nc, di, hi, wi, od, ho, wo, sd, sh, sw, out.all()));
        });
    }

    private static void trilinear(List<OpCase> t, String label, int nc, int di, int hi, int wi, int od, int ho, int wo) {
        add(t, "interpolate_trilinear/" + label, Tolerance.sampling(Math.max(di, Math.max(hi, wi))), s -> {
            Value in = s.uniform("in", (long) nc * di * hi * wi, -1, 1);
            Value out = s.output("out", (long) nc * od * ho * wo);
            s.node(new Ops.InterpolateTrilinear(in.all(), nc, di, hi, wi, od, ho, wo, Scales.linear(di, od, null),
                    Scales.linear(hi, ho, null), Scales.linear(wi, wo, null), out.all()));
        });
    }

    private static void interpolate(List<OpCase> t) {
        nearest(t, "x0.25 256x256->64x64 nc3 (vox kp detector input)", 3, 1, 256, 256, 1, 64, 64, 1f,
                Scales.nearest(256, 64, 0.25), Scales.nearest(256, 64, 0.25));
        nearest(t, "x2 2x17x25->2x34x50 nc4", 4, 2, 17, 25, 2, 34, 50, 1f, Scales.nearest(17, 34, 2.0),
                Scales.nearest(25, 50, 2.0));
        nearest(t, "size 2x16x24->3x33x49 nc2", 2, 2, 16, 24, 3, 33, 49, Scales.nearest(2, 3, null),
                Scales.nearest(16, 33, null), Scales.nearest(24, 49, null));
        nearest(t, "x1.5 17x25->25x37 nc3", 3, 1, 17, 25, 1, Scales.outputSize(17, 1.5), Scales.outputSize(25, 1.5), 1f,
                Scales.nearest(17, 25, 1.5), Scales.nearest(25, 37, 1.5));
        nearest(t, "1x1->3x5 nc2", 2, 1, 1, 1, 1, 3, 5, 1f, Scales.nearest(1, 3, null), Scales.nearest(1, 5, null));
        nearest(t, "source keypoints repeated for 3 frames, b2 k10", 2, 1, 1, 20, 3, 1, 20, Scales.nearest(1, 3, null), 1f,
                1f);
        trilinear(t, "64x64->256x256 nc3 (vox deformation to skip 0)", 3, 1, 64, 64, 1, 256, 256);
        trilinear(t, "64x64->2x2 nc6 (vox deformation to skip 7)", 6, 1, 64, 64, 1, 2, 2);
        trilinear(t, "2x17x23->3x40x9 nc2", 2, 2, 17, 23, 3, 40, 9);
        trilinear(t, "1x1->5x3 nc3", 3, 1, 1, 1, 1, 5, 3);
        trilinear(t, "3x5->1x1 nc2", 2, 1, 3, 5, 1, 1, 1);
    }

    private static void avgPool(List<OpCase> t) {
        for (int[] s : new int[][] {{64, 256, 256}, {10, 33, 47}, {3, 2, 3}, {2, 3, 3}, {1, 2, 2}}) {
            add(t, f("avg_pool2x2/%d planes %dx%d%s", s[0], s[1], s[2], s[1] == 256 ? " (vox appearance down 0)" : ""),
                    Tolerance.FEW_FLOPS, st -> {
                        long planes = s[0];
                        Value in = st.uniform("in", planes * s[1] * s[2], -2, 2);
                        Value out = st.output("out", planes * (s[1] / 2) * (s[2] / 2));
                        st.node(new Ops.AvgPool2x2(in.all(), planes, s[1], s[2], out.all()));
                    });
        }
    }

    // ---- element-wise ----

    private static void affine(List<OpCase> t, String label, boolean scale, boolean shift, int b, int c, long inner,
                               Activation act, int outChannels, int outOffset) {
        Tolerance tol = act == Activation.SIGMOID ? Tolerance.TRANSCENDENTAL
                : scale || shift || act == Activation.LEAKY_RELU_0_2 ? Tolerance.FEW_FLOPS : Tolerance.EXACT;
        add(t, "channel_affine/" + label, tol, s -> {
            float range = act == Activation.SIGMOID ? 8 : 3;
            Value in = s.uniform("in", (long) b * c * inner, -range, range);
            Value sc = scale ? s.uniform("scale", c, 0.5f, 1.5f) : null;
            Value sh = shift ? s.uniform("shift", c, -0.2f, 0.2f) : null;
            long n = (long) b * outChannels * inner;
            Value out = outChannels == c ? s.output("out", n) : s.prefilledOutput("out", n);
            s.node(new Ops.ChannelAffine(in.all(), sc == null ? null : sc.all(), sh == null ? null : sh.all(), b, c, inner,
                    act, outChannels, outOffset, out.all()));
        });
    }

    private static void channelAffine(List<OpCase> t) {
        affine(t, "scale+shift relu b2 c46 37x29 (refinement input)", true, true, 2, 46, 37 * 29, Activation.RELU, 46, 0);
        affine(t, "sigmoid b1 c3 256x256 (vox prediction)", false, false, 1, 3, 256 * 256, Activation.SIGMOID, 3, 0);
        affine(t, "copy into [7,12) of 12 b3 13x11 (skip concatenation)", false, false, 3, 5, 13 * 11, Activation.NONE,
                12, 7);
        affine(t, "copy into [1,2) of 4 b6 9x7 (deformed source into its slot)", false, false, 6, 1, 9 * 7,
                Activation.NONE, 4, 1);
        affine(t, "scale only leaky relu b1 c5 inner 1001", true, false, 1, 5, 1001, Activation.LEAKY_RELU_0_2, 5, 0);
        affine(t, "shift only relu into [2,5) of 7 b2 inner 17", false, true, 2, 3, 17, Activation.RELU, 7, 2);
        affine(t, "scale+shift into [0,3) of 5 b2 inner 33", true, true, 2, 3, 33, Activation.NONE, 5, 0);
        affine(t, "scale+shift sigmoid one value", true, true, 1, 1, 1, Activation.SIGMOID, 1, 0);
    }

    private static void transposes(List<OpCase> t) {
        for (long[] s : new long[][] {{2, 64 * 64, 3}, {3, 37 * 29, 5}, {1, 1, 1}, {2, 7, 1}}) {
            add(t, f("channels_last_to_first/b%d inner %d c%d%s", s[0], s[1], s[2], s[1] == 4096 ? " (vox deformation)" : ""),
                    Tolerance.EXACT, st -> {
                        long n = s[0] * s[1] * s[2];
                        Value in = st.uniform("in", n, -1, 1);
                        Value out = st.output("out", n);
                        st.node(new Ops.ChannelsLastToFirst(in.all(), (int) s[0], s[1], (int) s[2], out.all()));
                    });
        }
        for (long[] s : new long[][] {{1, 256 * 256, 3}, {3, 1001, 5}, {1, 1, 1}, {2, 1, 7}}) {
            add(t, f("channels_first_to_last/b%d inner %d c%d%s", s[0], s[1], s[2], s[1] == 65536 ? " (vox skip 0 grid)" : ""),
                    Tolerance.EXACT, st -> {
                        long n = s[0] * s[1] * s[2];
                        Value in = st.uniform("in", n, -1, 1);
                        Value out = st.output("out", n);
                        st.node(new Ops.ChannelsFirstToLast(in.all(), (int) s[0], s[1], (int) s[2], out.all()));
                    });
        }
    }

    private static void softmax(List<OpCase> t) {
        // rows, pixels, temperature, logit range
        softmax(t, "rows 10 64x64 T0.1 (vox kp detector)", 10, 64 * 64, 0.1, 3);
        softmax(t, "rows 7 pixels 1001 T1", 7, 1001, 1.0, 4);
        softmax(t, "rows 3 one pixel T0.1", 3, 1, 0.1, 3);
        softmax(t, "rows 2 33x47 T0.1 logits +-20 (exp overflows without the max subtracted)", 2, 33 * 47, 0.1, 20);
    }

    private static void softmax(List<OpCase> t, String label, long rows, int n, double temperature, float range) {
        add(t, "softmax_pixels/" + label, Tolerance.TRANSCENDENTAL, s -> {
            Value x = s.uniform("x", rows * n, -range, range);
            Value out = s.output("out", rows * n);
            s.node(new Ops.SoftmaxPixels(x.all(), rows, n, temperature, out.all()));
        });
    }

    // ---- keypoints ----

    /** Softmax-like heatmaps (maps of h x w): positive, each summing to 1, one peak of random width somewhere. */
    static float[] heatmaps(Setup s, int maps, int h, int w) {
        float[] a = new float[maps * h * w];
        for (int m = 0; m < maps; m++) {
            double py = s.random().nextDouble() * h;
            double px = s.random().nextDouble() * w;
            double sigma = 0.5 + s.random().nextDouble() * Math.max(h, w) / 6.0;
            double sum = 0;
            for (int i = 0; i < h * w; i++) {
                double dy = i / w - py;
                double dx = i % w - px;
                double v = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) + 1e-3 * s.random().nextDouble();
                a[m * h * w + i] = (float) v;
                sum += v;
            }
            for (int i = 0; i < h * w; i++) {
                a[m * h * w + i] /= (float) sum;
            }
        }
        return a;
    }

    /** Means in [-0.9, 0.9) for {@code points} keypoints. */
    static float[] means(Setup s, int points) {
        return s.uniform(2L * points, -0.9f, 0.9f);
    }

    /** Positive-definite variances of the kind: 2x2 matrices, scalars, or none for a constant. */
    static float[] variances(Setup s, int points, KpVariance v) {
        float[] a = new float[v.floats() * points];
        for (int i = 0; i < points; i++) {
            if (v.kind() == KpVariance.Kind.MATRIX) {
                float xx = 0.005f + 0.05f * s.random().nextFloat();
                float yy = 0.005f + 0.05f * s.random().nextFloat();
                float xy = (float) ((s.random().nextFloat() * 1.6 - 0.8) * Math.sqrt(xx * yy));
                a[4 * i] = xx;
                a[4 * i + 1] = xy;
                a[4 * i + 2] = xy;
                a[4 * i + 3] = yy;
            } else if (v.kind() == KpVariance.Kind.SINGLE) {
                a[i] = 0.005f + 0.05f * s.random().nextFloat();
            }
        }
        return a;
    }

    private static void gaussian2kp(List<OpCase> t) {
        gaussian2kp(t, "matrix clip 0.001 b2 k10 64x64 (vox kp detector)", KpVariance.MATRIX, 0.001, 2, 10, 1, 64, 64);
        gaussian2kp(t, "matrix no clip b2 k3 d2 33x47", KpVariance.MATRIX, null, 2, 3, 2, 33, 47);
        gaussian2kp(t, "matrix clip 0.05 (binding) b1 k5 17x19", KpVariance.MATRIX, 0.05, 1, 5, 1, 17, 19);
        gaussian2kp(t, "matrix clip 0.001 b1 k2 3x2", KpVariance.MATRIX, 0.001, 1, 2, 1, 3, 2);
        gaussian2kp(t, "single clip 0.001 (unused) b2 k3 d2 33x47", KpVariance.SINGLE, 0.001, 2, 3, 2, 33, 47);
        gaussian2kp(t, "single b1 k4 5x7", KpVariance.SINGLE, null, 1, 4, 1, 5, 7);
        gaussian2kp(t, "constant clip 0.001 (unused) b2 k4 7x5", CONSTANT, 0.001, 2, 4, 1, 7, 5);
    }

    private static void gaussian2kp(List<OpCase> t, String label, KpVariance v, Double clip, int b, int k, int d, int h,
                                    int w) {
        add(t, "gaussian2kp/" + label, Tolerance.TRANSCENDENTAL, s -> {
            Value heat = s.input("heat", heatmaps(s, b * k * d, h, w));
            Value mean = s.output("mean", 2L * b * d * k);
            Value var = v.hasTensor() ? s.output("var", (long) v.floats() * b * d * k) : null;
            s.node(new Ops.Gaussian2kp(heat.all(), b, k, d, h, w, v, clip, mean.all(), var == null ? null : var.all()));
        });
    }

    private static void heatmapEmbed(List<OpCase> t) {
        for (KpVariance v : new KpVariance[] {KpVariance.MATRIX, KpVariance.SINGLE, CONSTANT}) {
            for (Double norm : new Double[] {null, 100.0}) {
                for (boolean diff : new boolean[] {false, true}) {
                    for (boolean bg : new boolean[] {false, true}) {
                        heatmapEmbed(t, f("%s norm %s%s%s b2 k5 17x23", v, norm == null ? "sum" : "100",
                                diff ? " difference" : "", bg ? " background" : ""), v, norm, diff, bg, 2, 1, 5, 17, 23, 1, 0);
                    }
                }
            }
        }
        heatmapEmbed(t, "matrix norm 100 difference background 4 features b2 k10 64x64 (vox mask embedding)",
                KpVariance.MATRIX, 100.0, true, true, 2, 1, 10, 64, 64, 4, 0);
        heatmapEmbed(t, "matrix norm 100 difference background b2 k10 64x64 (vox kp embedding)", KpVariance.MATRIX, 100.0,
                true, true, 2, 1, 10, 64, 64, 1, 0);
        heatmapEmbed(t, "single norm sum background 3 features + 2 spare channels b2 d3 k4 9x11", KpVariance.SINGLE, null,
                false, true, 2, 3, 4, 9, 11, 3, 2);
        // 2x2: the smallest map with a coordinate grid (one pixel's is 0/0, NaN, as in PyTorch)
        heatmapEmbed(t, "constant difference 2 features b1 k3 2x2", CONSTANT, null, true, false, 1, 1, 3, 2, 2, 2, 0);
    }

    private static void heatmapEmbed(List<OpCase> t, String label, KpVariance v, Double norm, boolean diff, boolean bg,
                                     int b, int d, int k, int h, int w, int features, int spare) {
        add(t, "kp_heatmap_embed/" + label, Tolerance.TRANSCENDENTAL, s -> {
            Value dm = s.input("drv.mean", means(s, b * d * k));
            Value dv = v.hasTensor() ? s.input("drv.var", variances(s, b * d * k, v)) : null;
            Value sm = s.input("src.mean", means(s, b * k));
            Value sv = v.hasTensor() ? s.input("src.var", variances(s, b * k, v)) : null;
            int outC = (k + (bg ? 1 : 0)) * features + spare;
            long n = (long) b * outC * d * h * w;
            Value out = features == 1 && spare == 0 ? s.output("out", n) : s.prefilledOutput("out", n);
            s.node(new Ops.KpHeatmapEmbed(dm.all(), dv == null ? null : dv.all(), sm.all(), sv == null ? null : sv.all(), v,
                    b, d, k, h, w, norm, diff, bg, outC, features, out.all()));
        });
    }

    private static void differenceEmbed(List<OpCase> t) {
        // label, b, d, k, h, w, background, features, channel
        differenceEmbed(t, "2 features channel 0 background b1 k10 64x64 (vox deformed-source shifts)", 1, 1, 10, 64, 64,
                true, 2, 0);
        differenceEmbed(t, "2 features channel 0 background b6 k10 9x7", 6, 1, 10, 9, 7, true, 2, 0);
        differenceEmbed(t, "4 features channel 1 background b2 k5 13x11", 2, 1, 5, 13, 11, true, 4, 1);
        differenceEmbed(t, "3 features channel 1 b2 d3 k4 7x5", 2, 3, 4, 7, 5, false, 3, 1);
        differenceEmbed(t, "2 features channel 0 b1 k3 1x1", 1, 1, 3, 1, 1, false, 2, 0);
    }

    private static void differenceEmbed(List<OpCase> t, String label, int b, int d, int k, int h, int w, boolean bg,
                                        int features, int channel) {
        add(t, "kp_difference_embed/" + label, Tolerance.EXACT, s -> {
            Value dm = s.input("drv.mean", means(s, b * d * k));
            Value sm = s.input("src.mean", means(s, b * k));
            int outC = (k + (bg ? 1 : 0)) * features;
            long n = (long) b * outC * d * h * w;
            Value out = features == 2 ? s.output("out", n) : s.prefilledOutput("out", n);
            s.node(new Ops.KpDifferenceEmbed(dm.all(), sm.all(), b, d, k, h, w, bg, outC, features, channel, out.all()));
        });
    }

    private static void denseMotionFlow(List<OpCase> t) {
        // label, b, cp, k, d, h, w, mask, correction
        flow(t, "mask+correction b2 k10 cp13 64x64 (vox dense motion)", 2, 13, 10, 1, 64, 64, true, true);
        flow(t, "mask+correction b2 k5 cp9 (one spare channel) d2 19x13", 2, 9, 5, 2, 19, 13, true, true);
        flow(t, "mask only b2 k5 cp6 17x11", 2, 6, 5, 1, 17, 11, true, false);
        flow(t, "mask only b1 k3 cp5 (one spare channel) d2 5x9", 1, 5, 3, 2, 5, 9, true, false);
        flow(t, "correction only b11 64x64 (vox deformed-source grids)", 11, 2, 0, 1, 64, 64, false, true);
        flow(t, "correction only b3 9x7", 3, 2, 0, 1, 9, 7, false, true);
        flow(t, "identity b1 256x256 (no prediction)", 1, 0, 0, 1, 256, 256, false, false);
        flow(t, "identity b2 d3 5x3", 2, 0, 0, 3, 5, 3, false, false);
        flow(t, "identity b1 2x2", 1, 0, 0, 1, 2, 2, false, false);
    }

    private static void flow(List<OpCase> t, String label, int b, int cp, int k, int d, int h, int w, boolean mask,
                             boolean correction) {
        add(t, "dense_motion_flow/" + label, mask ? Tolerance.TRANSCENDENTAL : Tolerance.FEW_FLOPS, s -> {
            long inner = (long) d * h * w;
            Value pred = null;
            if (cp > 0) {
                float[] p = s.uniform(b * cp * inner, -3, 3);
                if (correction) {
                    // the correction channels are small shifts, as the trained model predicts
                    for (int bi = 0; bi < b; bi++) {
                        for (long i = (bi * cp + cp - 2L) * inner; i < (bi * cp + cp) * inner; i++) {
                            p[(int) i] *= 0.05f;
                        }
                    }
                }
                pred = s.input("pred", p);
            }
            Value dm = k > 0 ? s.input("drv.mean", means(s, b * d * k)) : null;
            Value sm = k > 0 ? s.input("src.mean", means(s, b * k)) : null;
            Value out = s.output("deformation", 3 * b * inner);
            s.node(new Ops.DenseMotionFlow(pred == null ? null : pred.all(), dm == null ? null : dm.all(),
                    sm == null ? null : sm.all(), b, cp, k, d, h, w, mask, correction, out.all()));
        });
    }

    // ---- sampling ----

    private static void gridSample(List<OpCase> t) {
        for (Padding p : Padding.values()) {
            for (boolean ac : new boolean[] {false, true}) {
                String pa = p.name().toLowerCase(Locale.ROOT) + " ac" + (ac ? 1 : 0);
                sample(t, pa + " n2 c5 16x17 -> 3x15x13, x y in [-1.3, 1.3), z in [-1.2, 1.2)", p, ac, 2, 5, 16, 17, 3, 15,
                        13, 1.3f, 1.2f);
                sample(t, pa + " 1x1 input c3 -> 1x5x4, x y in [-1.5, 1.5), z = 0", p, ac, 1, 3, 1, 1, 1, 5, 4, 1.5f, 0);
            }
        }
        sample(t, "reflection ac0 far outside: x y in [-4.5, 4.5) 9x11", Padding.REFLECTION, false, 1, 2, 9, 11, 1, 9, 11,
                4.5f, 0);
        sample(t, "reflection ac1 far outside: x y in [-4.5, 4.5) 9x11", Padding.REFLECTION, true, 1, 2, 9, 11, 1, 9, 11,
                4.5f, 0);
        sample(t, "border ac0 far outside: x y in [-4.5, 4.5) 9x11", Padding.BORDER, false, 1, 2, 9, 11, 1, 9, 11, 4.5f, 0);
        sample(t, "zeros ac1 c3 256x256 -> 1x256x256, z = 0 (vox video_deformed)", Padding.ZEROS, true, 1, 3, 256, 256, 1,
                256, 256, 1.1f, 0);
        sample(t, "zeros ac1 c3 64x64 -> 22x64x64, z = 0 (vox deformed source, 2 frames x 11 slots)", Padding.ZEROS, true,
                1, 3, 64, 64, 22, 64, 64, 1.1f, 0);
    }

    private static void sample(List<OpCase> t, String label, Padding padding, boolean ac, int n, int c, int h, int w,
                               int od, int ho, int wo, float xyRange, float zRange) {
        // unnormalised, a coordinate in [-r, r] reaches (r + 1) / 2 * size pixels
        add(t, "grid_sample_depth1/" + label, Tolerance.sampling((xyRange + 1) / 2 * Math.max(h, w)), s -> {
            Value in = s.uniform("in", (long) n * c * h * w, -1, 1);
            long pts = (long) n * od * ho * wo;
            float[] g = s.uniform(3 * pts, -xyRange, xyRange);
            for (long i = 2; i < g.length; i += 3) {
                g[(int) i] = zRange == 0 ? 0f : (s.random().nextFloat() * 2 - 1) * zRange;
            }
            Value grid = s.input("grid", g);
            Value out = s.output("out", pts * c);
            s.node(new Ops.GridSampleDepth1(in.all(), grid.all(), n, c, h, w, od, ho, wo, padding, ac, out.all()));
        });
    }

    // ---- First Order Motion Model ----

    private static void fomm(List<OpCase> t) {
        // planes, h, w, scale
        antialias(t, "s0.25 k13 3 planes 30x45 (odd size)", 3, 30, 45, 0.25);
        antialias(t, "s0.5 k5 2 planes 37x50", 2, 37, 50, 0.5);
        antialias(t, "s0.125 k29 2 planes 64x48", 2, 64, 48, 0.125);
        antialias(t, "s0.25 k13 3 planes 256x256 (vox)", 3, 256, 256, 0.25);
        antialias(t, "s0.25 k13 1 plane 1x1", 1, 1, 1, 0.25);
        for (int j : new int[] {0, 1, 5}) {
            heatmapKeypoints(t, f("b2 k5 7x11 jacobian maps %d", j), 2, 5, j, 7, 11);
        }
        heatmapKeypoints(t, "b1 k10 58x58 jacobian maps 10 (vox)", 1, 10, 10, 58, 58);
        heatmapKeypoints(t, "b3 k2 1x1 jacobian maps 1", 3, 2, 1, 1, 1);
        sparseMotion(t, "n3 k4 5x9 with jacobians", 3, 4, 5, 9, true);
        sparseMotion(t, "n3 k4 5x9 without jacobians", 3, 4, 5, 9, false);
        sparseMotion(t, "n1 k10 64x64 with jacobians (vox)", 1, 10, 64, 64, true);
        sparseMotion(t, "n2 k1 1x1 with jacobians", 2, 1, 1, 1, true);
        combineMotion(t, "n2 6 slots 7x13", 2, 6, 7 * 13);
        combineMotion(t, "n1 11 slots 64x64 (vox)", 1, 11, 64 * 64);
        add(t, "scale_pixels/n2 c5 7x13", Tolerance.EXACT, s -> {
            Value in = s.uniform("in", 2L * 5 * 91, -3, 3);
            Value wgt = s.uniform("weight", 2L * 91, 0, 1);
            Value out = s.output("out", 2L * 5 * 91);
            s.node(new Ops.ScalePixels(in.all(), wgt.all(), 2, 5, 91, out.all()));
        });
        add(t, "scale_pixels/n1 c256 64x64 (vox occlusion)", Tolerance.EXACT, s -> {
            Value in = s.uniform("in", 256L * 4096, -3, 3);
            Value wgt = s.uniform("weight", 4096, 0, 1);
            Value out = s.output("out", 256L * 4096);
            s.node(new Ops.ScalePixels(in.all(), wgt.all(), 1, 256, 4096, out.all()));
        });
        softmaxChannels(t, "b2 11 of 13 channels 3x7x9", 2, 13, 11, 3 * 7 * 9, 5);
        softmaxChannels(t, "b1 11 of 11 channels 64x64 (vox mask)", 1, 11, 11, 64 * 64, 5);
        softmaxChannels(t, "b1 3 of 3 channels 1 pixel logits +-20", 1, 3, 3, 1, 20);
    }

    private static void antialias(List<OpCase> t, String label, int planes, int h, int w, double scale) {
        add(t, "antialias/" + label, Tolerance.CONV, s -> {
            int k = io.motionkernels.cpu.FommKernels.antialiasKernelSize(scale);
            int stride = io.motionkernels.cpu.FommKernels.antialiasStride(scale);
            Value in = s.uniform("in", (long) planes * h * w, 0, 1);
            Value kernel = s.input("kernel", io.motionkernels.cpu.FommKernels.antialiasKernel(scale));
            long n = (long) planes * ((h + stride - 1) / stride) * ((w + stride - 1) / stride);
            Value out = s.output("out", n);
            s.node(new Ops.AntiAlias(in.all(), kernel.all(), planes, h, w, k, stride, out.all()));
        });
    }

    private static void heatmapKeypoints(List<OpCase> t, String label, int b, int k, int j, int h, int w) {
        add(t, "heatmap_keypoints/" + label, Tolerance.FEW_FLOPS, s -> {
            long plane = (long) h * w;
            Value heat = s.uniform("heat", b * k * plane, 0, 1f / plane * 2);
            Value maps = j == 0 ? null : s.uniform("maps", 4L * b * j * plane, -1, 1);
            Value value = s.output("value", 2L * b * k);
            Value jac = j == 0 ? null : s.output("jacobian", 4L * b * k);
            s.node(new Ops.HeatmapKeypoints(heat.all(), maps == null ? null : maps.all(), b, k, j == 0 ? 1 : j, h, w,
                    value.all(), jac == null ? null : jac.all()));
        });
    }

    /** Jacobians near the identity (well conditioned, as the detector's are). */
    private static float[] jacobians(Setup s, int count) {
        float[] j = s.uniform(4L * count, -0.3f, 0.3f);
        for (int i = 0; i < count; i++) {
            j[4 * i] += 1;
            j[4 * i + 3] += 1;
        }
        return j;
    }

    private static void sparseMotion(List<OpCase> t, String label, int n, int k, int h, int w, boolean jac) {
        add(t, "sparse_motion/" + label, Tolerance.FEW_FLOPS, s -> {
            Value sv = s.uniform("src_value", 2L * n * k, -1, 1);
            Value dv = s.uniform("drv_value", 2L * n * k, -1, 1);
            Value sj = jac ? s.input("src_jacobian", jacobians(s, n * k)) : null;
            Value dj = jac ? s.input("drv_jacobian", jacobians(s, n * k)) : null;
            Value out = s.output("out", 3L * n * (k + 1) * h * w);
            s.node(new Ops.SparseMotion(sv.all(), sj == null ? null : sj.all(), dv.all(), dj == null ? null : dj.all(), n,
                    k, h, w, out.all()));
        });
    }

    private static void combineMotion(List<OpCase> t, String label, int n, int slots, int plane) {
        add(t, "combine_motion/" + label, Tolerance.FEW_FLOPS, s -> {
            Value mask = s.uniform("mask", (long) n * slots * plane, 0, 1f / slots * 2);
            Value motion = s.uniform("motion", 3L * n * slots * plane, -1, 1);
            Value out = s.output("out", 3L * n * plane);
            s.node(new Ops.CombineMotion(mask.all(), motion.all(), n, slots, plane, out.all()));
        });
    }

    private static void softmaxChannels(List<OpCase> t, String label, int b, int cin, int channels, int inner,
                                        float range) {
        add(t, "softmax_channels/" + label, Tolerance.TRANSCENDENTAL, s -> {
            Value x = s.uniform("x", (long) b * cin * inner, -range, range);
            Value out = s.output("out", (long) b * channels * inner);
            s.node(new Ops.SoftmaxChannels(x.all(), b, cin, channels, inner, out.all()));
        });
    }
}
