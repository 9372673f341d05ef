package io.motionkernels.fomm;

import io.motionkernels.model.FommConfig;
import io.motionkernels.checkpoint.CheckpointException;
import io.motionkernels.checkpoint.StateDict;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.Elementwise;
import io.motionkernels.cpu.FommKernels;
import io.motionkernels.engine.Activation;
import io.motionkernels.engine.ConvSpec;
import io.motionkernels.tensor.Tensor;

/**
 * First Order Motion Model's parameters in the form its graph uses (the counterpart of
 * {@link MonkeyNetParams}): every convolution with its batch norm folded in, the bottleneck's
 * pre-activation batch norms as (scale, shift) constants, the antialias kernels. Weight names
 * (FOMM's state_dict keys under {@code kp_detector.} and {@code generator.}) are resolved here
 * and only here. The antialias buffers are not learned: from a checkpoint they are read and
 * checked against FOMM's formula; otherwise the formula is used.
 */
public final class FommParams {
    static final double BN_EPS = 1e-5;
    /** How far a checkpoint's antialias buffer may be from the formula (FOMM.md: they agree to 1e-7). */
    static final double KERNEL_TOLERANCE = 1e-6;

    /** FOMM's Hourglass: encoder down blocks (conv+BN+ReLU, then pooling) and decoder up blocks. */
    record Hourglass(ConvSpec[] down, ConvSpec[] up) {
    }

    /** Pre-activation residual block: BN1 as (scale, shift), conv1 with BN2 and ReLU folded, conv2. */
    record ResBlock(float[] scale, float[] shift, ConvSpec conv1, ConvSpec conv2) {
    }

    /** The antialias filter of a scale &lt; 1: its k x k kernel and subsampling stride. */
    record AntiAlias(float[] kernel, int k, int stride) {
    }

    final FommConfig config;
    final AntiAlias kpDown;
    final Hourglass kpPredictor;
    final ConvSpec kpHead;
    final ConvSpec jacobianHead;
    final ConvSpec first;
    final ConvSpec[] down;
    final ResBlock[] bottleneck;
    final ConvSpec[] up;
    final ConvSpec fin;
    final AntiAlias dmDown;
    final Hourglass dmHourglass;
    final ConvSpec mask;
    final ConvSpec occlusion;

    private final Weights w;

    private FommParams(FommConfig config, Weights weights) {
        this.config = config;
        this.w = weights;
        int c = config.numChannels();
        int k = config.numKp();
        FommConfig.KpDetector kd = config.kpDetector();
        kpDown = antialias("kp_detector.down.weight", c, kd.scaleFactor());
        kpPredictor = hourglass("kp_detector.predictor.", kd.blockExpansion(), c, kd.numBlocks(), kd.maxFeatures());
        int f = kd.blockExpansion() + c;
        kpHead = conv("kp_detector.kp", f, k, 7);
        jacobianHead = config.estimateJacobian() ? conv("kp_detector.jacobian", f, 4 * kd.jacobianMaps(k), 7) : null;

        FommConfig.Generator g = config.generator();
        int e = g.blockExpansion();
        int m = g.maxFeatures();
        first = convNorm("generator.first.conv", "generator.first.norm", c, e, 7, Activation.RELU);
        down = new ConvSpec[g.numDownBlocks()];
        for (int i = 0; i < down.length; i++) {
            String b = "generator.down_blocks." + i;
            down[i] = convNorm(b + ".conv", b + ".norm", features(e, m, i), features(e, m, i + 1), 3, Activation.RELU);
        }
        int bf = features(e, m, g.numDownBlocks());
        bottleneck = new ResBlock[g.numBottleneckBlocks()];
        for (int i = 0; i < bottleneck.length; i++) {
            String r = "generator.bottleneck.r" + i;
            float[][] bn = batchNorm(r + ".norm1", bf);
            float[][] ss = Elementwise.batchNormScaleShift(bn[0], bn[1], bn[2], bn[3], BN_EPS);
            bottleneck[i] = new ResBlock(ss[0], ss[1], convNorm(r + ".conv1", r + ".norm2", bf, bf, 3, Activation.RELU),
                    conv(r + ".conv2", bf, bf, 3));
        }
        int d = g.numDownBlocks();
        up = new ConvSpec[d];
        for (int i = 0; i < d; i++) {
            String b = "generator.up_blocks." + i;
            up[i] = convNorm(b + ".conv", b + ".norm", features(e, m, d - i), features(e, m, d - i - 1), 3,
                    Activation.RELU);
        }
        fin = conv("generator.final", e, c, 7);

        FommConfig.DenseMotion dm = g.denseMotion();
        if (dm != null) {
            String p = "generator.dense_motion_network.";
            dmDown = antialias(p + "down.weight", c, dm.scaleFactor());
            int in = (k + 1) * (c + 1);
            dmHourglass = hourglass(p + "hourglass.", dm.blockExpansion(), in, dm.numBlocks(), dm.maxFeatures());
            int out = dm.blockExpansion() + in;
            mask = conv(p + "mask", out, k + 1, 7);
            occlusion = g.estimateOcclusionMap() ? conv(p + "occlusion", out, 1, 7) : null;
        } else {
            dmDown = null;
            dmHourglass = null;
            mask = null;
            occlusion = null;
        }
    }

    /** Resolves and folds every parameter of {@code config}'s detector and generator. */
    public static FommParams of(FommConfig config, Weights weights) {
        FommParams p = new FommParams(config, weights);
        if (weights instanceof StateDict sd) {
            sd.checkComplete(config.name(), "generator.", "kp_detector.");
        }
        return p;
    }

    public FommConfig config() {
        return config;
    }

    static int features(int e, int m, int i) {
        return Math.min(m, e << i);
    }

    private AntiAlias antialias(String name, int channels, double scale) {
        if (scale == 1) {
            return null;
        }
        float[] formula = FommKernels.antialiasKernel(scale);
        int k = FommKernels.antialiasKernelSize(scale);
        if (w instanceof StateDict sd) {
            Tensor t = sd.get(name, channels, 1, k, k);
            if (t != sd.tensors().get(name)) {
                // missing or mis-shaped: the placeholder says nothing, checkComplete reports the file's problem
                return new AntiAlias(formula, k, FommKernels.antialiasStride(scale));
            }
            float[] data = t.data();
            for (int ch = 0; ch < channels; ch++) {
                for (int i = 0; i < k * k; i++) {
                    if (Math.abs(data[ch * k * k + i] - formula[i]) > KERNEL_TOLERANCE) {
                        throw new CheckpointException(sd.source() + ": " + name + " is not the antialias Gaussian of scale "
                                + scale + " (channel " + ch + ", tap " + i + ": " + data[ch * k * k + i] + " instead of "
                                + formula[i] + "): the checkpoint does not match the configuration");
                    }
                }
            }
            // the buffer as stored: the graph filters with exactly what the checkpoint holds
            float[] kernel = new float[k * k];
            System.arraycopy(data, 0, kernel, 0, k * k);
            return new AntiAlias(kernel, k, FommKernels.antialiasStride(scale));
        }
        return new AntiAlias(formula, k, FommKernels.antialiasStride(scale));
    }

    private Hourglass hourglass(String prefix, int e, int in, int n, int m) {
        ConvSpec[] dn = new ConvSpec[n];
        for (int i = 0; i < n; i++) {
            String b = prefix + "encoder.down_blocks." + i;
            dn[i] = convNorm(b + ".conv", b + ".norm", i == 0 ? in : features(e, m, i), features(e, m, i + 1), 3,
                    Activation.RELU);
        }
        ConvSpec[] upb = new ConvSpec[n];
        for (int i = n - 1; i >= 0; i--) {
            int j = n - 1 - i;
            String b = prefix + "decoder.up_blocks." + j;
            int cin = (i == n - 1 ? 1 : 2) * features(e, m, i + 1);
            upb[j] = convNorm(b + ".conv", b + ".norm", cin, features(e, m, i), 3, Activation.RELU);
        }
        return new Hourglass(dn, upb);
    }

    private ConvSpec conv(String name, int cin, int cout, int k) {
        float[] weight = w.get(name + ".weight", cout, cin, k, k).data();
        float[] bias = w.get(name + ".bias", cout).data();
        return new ConvSpec(name, cin, cout, k, 1, weight, bias, Activation.NONE);
    }

    private ConvSpec convNorm(String conv, String norm, int cin, int cout, int k, Activation act) {
        float[][] bn = batchNorm(norm, cout);
        return conv(conv, cin, cout, k).foldBatchNorm(bn[0], bn[1], bn[2], bn[3], BN_EPS).withActivation(act);
    }

    private float[][] batchNorm(String name, int c) {
        return new float[][] {w.get(name + ".weight", c).data(), w.get(name + ".bias", c).data(),
                w.get(name + ".running_mean", c).data(), w.get(name + ".running_var", c).data()};
    }
}
