package io.motionkernels.conformance;

import io.motionkernels.engine.Padding;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.cpu.FommKernels;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.cpu.Interpolate;
import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a single-operation reference case ({@code kind: op:*}, see golden/FORMAT.md) on the CPU
 * operations and pairs every output with its expected value.
 */
public final class OpCases {
    private OpCases() {
    }

    /**
     * {@return true when {@code kind} names an operation case ({@code op:*}) this class runs}
     *
     * @param kind a case's {@code kind} metadata, or null
     */
    public static boolean handles(String kind) {
        return kind != null && kind.startsWith("op:");
    }

    /**
     * Runs the case and pairs every output the case holds with what the CPU operation computes.
     *
     * @param c the case file's contents
     * @return one comparison per output
     * @throws MotionKernelsException for an unknown kind, missing or malformed metadata, or a missing tensor
     */
    public static List<Comparison> run(Safetensors.Contents c) {
        Map<String, String> meta = c.metadata();
        String kind = meta.get("kind");
        if (kind == null) {
            throw new MotionKernelsException("reference case has no 'kind' in its metadata: it is not a golden case file");
        }
        try {
            return switch (kind) {
                case "op:kp2gaussian" -> kp2gaussian(c);
                case "op:gaussian2kp" -> gaussian2kp(c);
                case "op:grid_sample" -> gridSample(c);
                case "op:interpolate" -> interpolate(c);
                case "op:antialias_interpolation" -> antialias(c);
                default -> throw new MotionKernelsException("unknown operation case kind '" + kind
                        + "': known are op:kp2gaussian, op:gaussian2kp, op:grid_sample, op:interpolate and op:antialias_interpolation");
            };
        } catch (IllegalArgumentException e) {
            throw new MotionKernelsException("case " + kind + " " + meta + " is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * The one rule: {@link Comparison#relativeL2(Tensor, Tensor)}.
     *
     * @param actual   what was computed
     * @param expected the reference
     * @return the relative L2 error, 0 or more
     */
    public static double relativeL2(Tensor actual, Tensor expected) {
        return Comparison.relativeL2(actual, expected);
    }

    private static List<Comparison> kp2gaussian(Safetensors.Contents c) {
        KpVariance variance = KpVariance.parse(require(c, "kp_variance"));
        int[] size = intList(require(c, "spatial_size"), "spatial_size");
        if (size.length != 2) {
            throw new IllegalArgumentException("spatial_size must be [height, width], got " + c.metadata().get("spatial_size"));
        }
        Tensor var = variance.hasTensor() ? c.require("var") : null;
        Tensor out = KeypointOps.kp2gaussian(new Keypoints(c.require("mean"), var), size[0], size[1], variance);
        return List.of(new Comparison("out", out, c.require("out")));
    }

    private static List<Comparison> gaussian2kp(Safetensors.Contents c) {
        KpVariance variance = KpVariance.parse(require(c, "kp_variance"));
        String clipText = c.metadata().getOrDefault("clip_variance", "none").trim();
        Double clip = clipText.equalsIgnoreCase("none") || clipText.equalsIgnoreCase("null") ? null : number(clipText, "clip_variance");
        Keypoints kp = KeypointOps.gaussian2kp(c.require("heatmap"), variance, clip);
        List<Comparison> out = new ArrayList<>();
        out.add(new Comparison("mean", kp.mean(), c.require("mean")));
        if (variance.hasTensor()) {
            out.add(new Comparison("var", kp.var(), c.require("var")));
        }
        return out;
    }

    private static List<Comparison> gridSample(Safetensors.Contents c) {
        String mode = c.metadata().getOrDefault("mode", "bilinear");
        if (!mode.equals("bilinear")) {
            throw new MotionKernelsException("grid_sample mode '" + mode + "' is not supported: only bilinear is");
        }
        Padding padding = Padding.parse(c.metadata().getOrDefault("padding_mode", "zeros"));
        boolean alignCorners = bool(require(c, "align_corners"), "align_corners");
        Tensor out = GridSample.sample(c.require("input"), c.require("grid"), padding, alignCorners);
        return List.of(new Comparison("out", out, c.require("out")));
    }

    /** FOMM's AntiAliasInterpolation2d: the identity at scale 1, else the Gaussian blur sampled every int(1/s) pixels. */
    private static List<Comparison> antialias(Safetensors.Contents c) {
        double scale = number(require(c, "scale"), "scale");
        if (!(scale > 0 && scale <= 1)) {
            throw new IllegalArgumentException("scale must be in (0, 1], got " + scale);
        }
        Tensor input = c.require("input");
        if (input.rank() != 4) {
            throw new IllegalArgumentException("antialias input must be (B, C, H, W), got " + input.shapeString());
        }
        if (scale == 1) {
            return List.of(new Comparison("out", input, c.require("out")));
        }
        int k = FommKernels.antialiasKernelSize(scale);
        int stride = FommKernels.antialiasStride(scale);
        // the case's own description of the filter must be the formula's
        if (c.metadata().containsKey("kernel_size") && (int) number(c.metadata().get("kernel_size"), "kernel_size") != k) {
            throw new IllegalArgumentException("kernel_size is " + c.metadata().get("kernel_size") + ", FOMM's formula gives "
                    + k + " for scale " + scale);
        }
        if (c.metadata().containsKey("stride") && (int) number(c.metadata().get("stride"), "stride") != stride) {
            throw new IllegalArgumentException("stride is " + c.metadata().get("stride") + ", int(1 / scale) is " + stride);
        }
        float[] kernel = FommKernels.antialiasKernel(scale);
        int b = input.dim(0), ch = input.dim(1), h = input.dim(2), w = input.dim(3);
        Tensor out = Tensor.zeros(b, ch, FommKernels.antialiasOutput(h, stride), FommKernels.antialiasOutput(w, stride));
        FommKernels.antialias(input.data(), 0, b * ch, h, w, kernel, 0, k, stride, out.data(), 0);
        List<Comparison> r = new ArrayList<>();
        if (c.tensors().containsKey("kernel")) {
            r.add(new Comparison("kernel", Tensor.of(kernel, k, k), c.require("kernel")));
        }
        r.add(new Comparison("out", out, c.require("out")));
        return r;
    }

    private static List<Comparison> interpolate(Safetensors.Contents c) {
        Map<String, String> meta = c.metadata();
        String mode = require(c, "mode");
        Tensor input = c.require("input");
        int rank = input.rank();
        if (rank != 4 && rank != 5) {
            throw new IllegalArgumentException("interpolate input must be (B, C, H, W) or (B, C, D, H, W), got " + input.shapeString());
        }
        // A 4-D input is a video of one frame; its lists then cover height and width only.
        Tensor x = rank == 5 ? input : input.reshape(input.dim(0), input.dim(1), 1, input.dim(2), input.dim(3));
        Tensor out;
        switch (mode) {
            case "nearest" -> {
                if (meta.containsKey("scale_factor")) {
                    double[] s = padDepth(doubleList(meta.get("scale_factor"), "scale_factor"), rank, "scale_factor", 1.0);
                    out = Interpolate.nearestScale(x, s[0], s[1], s[2]);
                } else {
                    int[] size = padDepth(intList(require(c, "size"), "size"), rank, "size");
                    out = Interpolate.nearest(x, size[0], size[1], size[2]);
                }
            }
            case "trilinear", "bilinear" -> {
                if (bool(meta.getOrDefault("align_corners", "false"), "align_corners")) {
                    throw new MotionKernelsException("interpolate " + mode + " with align_corners true is not supported: "
                            + "the model only uses align_corners false");
                }
                if (!meta.containsKey("size")) {
                    throw new MotionKernelsException("interpolate " + mode + " by scale_factor is not supported: only by size");
                }
                int[] size = padDepth(intList(meta.get("size"), "size"), rank, "size");
                out = Interpolate.trilinear(x, size[0], size[1], size[2]);
            }
            default -> throw new MotionKernelsException("interpolate mode '" + mode + "' is not supported: nearest or trilinear");
        }
        if (rank == 4) {
            out = out.reshape(out.dim(0), out.dim(1), out.dim(3), out.dim(4));
        }
        return List.of(new Comparison("out", out, c.require("out")));
    }

    private static int[] padDepth(int[] v, int rank, String what) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        double[] p = padDepth(d, rank, what, 1.0);
        return new int[] {(int) p[0], (int) p[1], (int) p[2]};
    }

    private static double[] padDepth(double[] v, int rank, String what, double depth) {
        if (v.length == rank - 2 && rank == 5) {
            return v;
        }
        if (v.length == 2 && rank == 4) {
            return new double[] {depth, v[0], v[1]};
        }
        throw new IllegalArgumentException(what + " must list " + (rank - 2) + " values for a " + rank + "-D input, got "
                + v.length);
    }

    private static String require(Safetensors.Contents c, String key) {
        String v = c.metadata().get(key);
        if (v == null) {
            throw new MotionKernelsException("case " + c.metadata().get("kind") + " lacks the metadata entry '" + key + "'");
        }
        return v;
    }

    private static boolean bool(String s, String what) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new IllegalArgumentException(what + " must be true or false, got '" + s + "'");
        };
    }

    private static double number(String s, String what) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, got '" + s + "'");
        }
    }

    /** A JSON list of numbers such as {@code [1, 0.25, 0.25]}. */
    static double[] doubleList(String s, String what) {
        String t = s.trim();
        if (!t.startsWith("[") || !t.endsWith("]")) {
            throw new IllegalArgumentException(what + " must be a JSON list of numbers, got '" + s + "'");
        }
        String body = t.substring(1, t.length() - 1).trim();
        if (body.isEmpty()) {
            return new double[0];
        }
        String[] parts = body.split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = number(parts[i], what);
        }
        return v;
    }

    static int[] intList(String s, String what) {
        double[] d = doubleList(s, what);
        int[] v = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] != Math.rint(d[i]) || d[i] < 1 || d[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " must list positive integers, got '" + s + "'");
            }
            v[i] = (int) d[i];
        }
        return v;
    }
}
