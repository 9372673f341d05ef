package io.motionkernels.cuda;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.Elementwise;
import io.motionkernels.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Monkey-Net's parameters on a device, in the form the GPU graph uses: every convolution with its
 * batch norm folded in (the same folding as {@code model.Layers}), the refinement blocks'
 * standalone batch norms as (scale, shift) buffers. Built from the same {@link Weights} and
 * names as the CPU model. Owns everything it uploaded.
 */
final class GpuNet implements AutoCloseable {
    static final double BN_EPS = 1e-5;

    /** U-Net pieces: down blocks (conv+BN+ReLU, then pool), up blocks, optional last conv. */
    record Hourglass(GpuDevice.Conv[] down, GpuDevice.Conv[] up, GpuDevice.Conv last) {
    }

    record ResBlock(GpuView scale, GpuView shift, GpuDevice.Conv conv1, GpuDevice.Conv conv2) {
    }

    final ModelConfig config;
    final Hourglass kp;
    final Hourglass appearance;
    final GpuDevice.Conv[] groupBlocks;
    final Hourglass denseMotion;
    final Hourglass videoDecoder;
    final ResBlock[] refinement;
    final GpuDevice.Conv convLast;
    /** Channels the generator's kp embedding adds to every skip (0 without one). */
    final int kpEmbeddingChannels;

    private final GpuDevice device;
    private final Weights w;
    private final List<AutoCloseable> owned = new ArrayList<>();

    GpuNet(ModelConfig config, Weights weights, GpuDevice device) {
        this.config = config;
        this.device = device;
        this.w = weights;
        try {
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
                groupBlocks = new GpuDevice.Conv[dm.numGroupBlocks()];
                String p = "generator.dense_motion_module.";
                for (int i = 0; i < groupBlocks.length; i++) {
                    String b = p + "group_blocks." + i;
                    groupBlocks[i] = convNorm(b + ".conv", b + ".norm", ec, ec, 1, k + 1, Activation.RELU);
                }
                int out = (k + 1) * (dm.useMask() ? 1 : 0) + 2 * (dm.useCorrection() ? 1 : 0);
                denseMotion = hourglass(p + "hourglass.", dm.blockExpansion(), ec, out, dm.numBlocks(), dm.maxFeatures(),
                        0, true, true);
            } else {
                groupBlocks = new GpuDevice.Conv[0];
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
                refinement[i] = new ResBlock(upload(ss[0]), upload(ss[1]),
                        convNorm(r + ".conv1", r + ".norm2", features, features, 3, 1, Activation.RELU),
                        conv(r + ".conv2", features, features, 3, 1));
            }
            convLast = conv("generator.refinement_module.conv-last", features, c, 1, 1);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    static int features(int e, int m, int i) {
        return Math.min(m, e << i);
    }

    private Hourglass hourglass(String prefix, int e, int in, int out, int n, int m, int a, boolean decoder,
                                boolean full) {
        String enc = full ? prefix + "encoder." : prefix;
        String dec = full ? prefix + "decoder." : prefix;
        GpuDevice.Conv[] down = new GpuDevice.Conv[0];
        if (full || !decoder) {
            down = new GpuDevice.Conv[n];
            for (int i = 0; i < n; i++) {
                String b = enc + "down_blocks." + i;
                down[i] = convNorm(b + ".conv", b + ".norm", i == 0 ? in : features(e, m, i), features(e, m, i + 1), 3, 1,
                        Activation.RELU);
            }
        }
        GpuDevice.Conv[] up = new GpuDevice.Conv[0];
        GpuDevice.Conv last = null;
        if (decoder) {
            up = new GpuDevice.Conv[n];
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

    private GpuDevice.Conv conv(String name, int cin, int cout, int k, int groups) {
        return own(device.prepareConv(spec(name, cin, cout, k, groups)));
    }

    private GpuDevice.Conv convNorm(String conv, String norm, int cin, int cout, int k, int groups, Activation act) {
        float[][] bn = batchNorm(norm, cout);
        ConvSpec s = spec(conv, cin, cout, k, groups).foldBatchNorm(bn[0], bn[1], bn[2], bn[3], BN_EPS).withActivation(act);
        return own(device.prepareConv(s));
    }

    private float[][] batchNorm(String name, int c) {
        return new float[][] {w.get(name + ".weight", c).data(), w.get(name + ".bias", c).data(),
                w.get(name + ".running_mean", c).data(), w.get(name + ".running_var", c).data()};
    }

    private GpuView upload(float[] host) {
        GpuDevice.Buffer b = own(device.allocate(host.length));
        device.upload(host, b.view());
        return b.view();
    }

    private <T extends AutoCloseable> T own(T t) {
        owned.add(t);
        return t;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        owned.clear();
        if (first != null) {
            throw first;
        }
    }
}
