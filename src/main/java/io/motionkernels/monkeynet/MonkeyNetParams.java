package io.motionkernels.monkeynet;

import io.motionkernels.model.ModelConfig;
import io.motionkernels.checkpoint.StateDict;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.Elementwise;
import io.motionkernels.engine.Activation;
import io.motionkernels.engine.ConvSpec;

/**
 * Monkey-Net's parameters in the form its graph uses, built once per model from the configuration
 * and the weights: every convolution with its batch norm folded in, the refinement blocks'
 * standalone batch norms as (scale, shift) constants. Weight names are resolved here and only
 * here; weights from a checkpoint are checked as a whole (every missing, unexpected or mis-shaped
 * parameter in one message). Host data only: a device uploads what it needs when a graph runs.
 */
public final class MonkeyNetParams {
    static final double BN_EPS = 1e-5;

    /** U-Net pieces: down blocks (conv+BN+ReLU, then pool), up blocks, optional last conv. */
    record Hourglass(ConvSpec[] down, ConvSpec[] up, ConvSpec last) {
    }

    record ResBlock(float[] scale, float[] shift, ConvSpec conv1, ConvSpec conv2) {
    }

    final ModelConfig config;
    final Hourglass kp;
    final Hourglass appearance;
    final ConvSpec[] groupBlocks;
    final Hourglass denseMotion;
    final Hourglass videoDecoder;
    final ResBlock[] refinement;
    final ConvSpec convLast;
    /** Channels the generator's kp embedding adds to every skip (0 without one). */
    final int kpEmbeddingChannels;

    private final Weights w;

    private MonkeyNetParams(ModelConfig config, Weights weights) {
        this.config = config;
        this.w = weights;
        int c = config.common().numChannels();
        int k = config.common().numKp();
        ModelConfig.KpDetectorParams kd = config.kpDetector();
        kp = hourglass("kp_detector.predictor.", kd.blockExpansion(), c, k, kd.numBlocks(), kd.maxFeatures(), 0,
                true, true);
        ModelConfig.GeneratorParams g = config.generator();
        appearance = hourglass("generator.appearance_encoder.", g.blockExpansion(), c, 0, g.numBlocks(),
                g.maxFeatures(), 0, false, false);
        ModelConfig.DenseMotionParams dm = g.denseMotion();
        if (dm != null) {
            int ec = dm.maskEmbedding().outChannels(k, c);
            groupBlocks = new ConvSpec[dm.numGroupBlocks()];
            String p = "generator.dense_motion_module.";
            for (int i = 0; i < groupBlocks.length; i++) {
                String b = p + "group_blocks." + i;
                groupBlocks[i] = convNorm(b + ".conv", b + ".norm", ec, ec, 1, k + 1, Activation.RELU);
            }
            int out = (k + 1) * (dm.useMask() ? 1 : 0) + 2 * (dm.useCorrection() ? 1 : 0);
            denseMotion = hourglass(p + "hourglass.", dm.blockExpansion(), ec, out, dm.numBlocks(), dm.maxFeatures(),
                    0, true, true);
        } else {
            groupBlocks = new ConvSpec[0];
            denseMotion = null;
        }
        kpEmbeddingChannels = g.kpEmbedding() == null ? 0 : g.kpEmbedding().outChannels(k, c);
        int a = kpEmbeddingChannels;
        videoDecoder = hourglass("generator.video_decoder.", g.blockExpansion(), c, c, g.numBlocks(), g.maxFeatures(),
                a, true, false);
        int features = g.blockExpansion() + c + a;
        refinement = new ResBlock[g.numRefinementBlocks()];
        for (int i = 0; i < refinement.length; i++) {
            String r = "generator.refinement_module.r" + i;
            float[][] bn = batchNorm(r + ".norm1", features);
            float[][] ss = Elementwise.batchNormScaleShift(bn[0], bn[1], bn[2], bn[3], BN_EPS);
            refinement[i] = new ResBlock(ss[0], ss[1],
                    convNorm(r + ".conv1", r + ".norm2", features, features, 3, 1, Activation.RELU),
                    conv(r + ".conv2", features, features, 3, 1));
        }
        convLast = conv("generator.refinement_module.conv-last", features, c, 1, 1);
    }

    /** Resolves and folds every parameter of {@code config}'s networks. */
    public static MonkeyNetParams of(ModelConfig config, Weights weights) {
        MonkeyNetParams p = new MonkeyNetParams(config, weights);
        if (weights instanceof StateDict sd) {
            sd.checkComplete(config.name(), "generator.", "kp_detector.");
        }
        return p;
    }

    public ModelConfig config() {
        return config;
    }

    static int features(int e, int m, int i) {
        return Math.min(m, e << i);
    }

    private Hourglass hourglass(String prefix, int e, int in, int out, int n, int m, int a, boolean decoder,
                                boolean full) {
        String enc = full ? prefix + "encoder." : prefix;
        String dec = full ? prefix + "decoder." : prefix;
        ConvSpec[] down = new ConvSpec[0];
        if (full || !decoder) {
            down = new ConvSpec[n];
            for (int i = 0; i < n; i++) {
                String b = enc + "down_blocks." + i;
                down[i] = convNorm(b + ".conv", b + ".norm", i == 0 ? in : features(e, m, i), features(e, m, i + 1), 3, 1,
                        Activation.RELU);
            }
        }
        ConvSpec[] up = new ConvSpec[0];
        ConvSpec last = null;
        if (decoder) {
            up = new ConvSpec[n];
            for (int i = n - 1; i >= 0; i--) {
                int j = n - 1 - i;
                String b = dec + "up_blocks." + j;
                int cin = (i == n - 1 ? 1 : 2) * features(e, m, i + 1) + a;
                up[j] = convNorm(b + ".conv", b + ".norm", cin, features(e, m, i), 3, 1, Activation.RELU);
            }
            if (full) {
                last = conv(dec + "conv", e + in + a, out, 3, 1);
            }
        }
        return new Hourglass(down, up, last);
    }

    private ConvSpec spec(String name, int cin, int cout, int k, int groups) {
        float[] weight = w.get(name + ".weight", cout, cin / groups, 1, k, k).data();
        float[] bias = w.get(name + ".bias", cout).data();
        return new ConvSpec(name, cin, cout, k, groups, weight, bias, Activation.NONE);
    }

    private ConvSpec conv(String name, int cin, int cout, int k, int groups) {
        return spec(name, cin, cout, k, groups);
    }

    private ConvSpec convNorm(String conv, String norm, int cin, int cout, int k, int groups, Activation act) {
        float[][] bn = batchNorm(norm, cout);
        return spec(conv, cin, cout, k, groups).foldBatchNorm(bn[0], bn[1], bn[2], bn[3], BN_EPS).withActivation(act);
    }

    private float[][] batchNorm(String name, int c) {
        return new float[][] {w.get(name + ".weight", c).data(), w.get(name + ".bias", c).data(),
                w.get(name + ".running_mean", c).data(), w.get(name + ".running_var", c).data()};
    }
}
