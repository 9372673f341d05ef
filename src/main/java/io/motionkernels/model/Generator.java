package io.motionkernels.model;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.Conv2d;
import io.motionkernels.cpu.Elementwise;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.cpu.Interpolate;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The motion-transfer generator [generator.]: encodes the source once, warps every encoder skip with
 * the dense-motion deformation, decodes, refines and applies a sigmoid.
 */
public final class Generator {
    private final ModelConfig config;
    private final Hourglass.Encoder appearanceEncoder;
    private final DenseMotion denseMotion;
    private final MovementEmbedding kpEmbedding;
    private final Hourglass.Decoder videoDecoder;
    private final ResBlock[] refinement;
    private final Conv2d convLast;

    /** The generator's outputs for a batch of driving frames. */
    public record Output(Tensor videoPrediction, Tensor videoDeformed, Tensor deformation) {
    }

    Generator(ModelConfig config, Weights w) {
        this.config = config;
        ModelConfig.GeneratorParams g = config.generator();
        int c = config.common().numChannels();
        appearanceEncoder = new Hourglass.Encoder(w, "generator.appearance_encoder.", g.blockExpansion(), c,
                g.numBlocks(), g.maxFeatures());
        denseMotion = g.denseMotion() == null ? null : new DenseMotion(config, w);
        kpEmbedding = g.kpEmbedding() == null ? null : new MovementEmbedding(g.kpEmbedding(), config.common());
        int a = kpEmbedding == null ? 0 : kpEmbedding.outChannels();
        videoDecoder = new Hourglass.Decoder(w, "generator.video_decoder.", g.blockExpansion(), c, c, g.numBlocks(),
                g.maxFeatures(), a, false);
        int features = g.blockExpansion() + c + a;
        refinement = new ResBlock[g.numRefinementBlocks()];
        for (int i = 0; i < refinement.length; i++) {
            refinement[i] = new ResBlock(w, "generator.refinement_module.r" + i, features);
        }
        convLast = Layers.conv(w, "generator.refinement_module.conv-last", features, c, 1, 1)
                .withActivation(Activation.SIGMOID);
    }

    /** The appearance encoder's skips of a source image (B, C, 1, H, W): compute once per source. */
    public List<Tensor> encode(Tensor source) {
        return appearanceEncoder.forward(source);
    }

    /** The dense-motion module's input embedding (for inspection; null without a dense-motion module). */
    public Tensor maskEmbedding(Tensor source, Keypoints driving, Keypoints sourceKp) {
        return denseMotion == null ? null : denseMotion.maskEmbedding(source, driving, sourceKp);
    }

    public Output forward(Tensor source, List<Tensor> skips, Keypoints driving, Keypoints sourceKp) {
        int d = driving.frames();
        Tensor deformation = denseMotion == null
                ? DenseMotion.identity(source.dim(0), d, source.dim(3), source.dim(4))
                : denseMotion.forward(source, driving, sourceKp);
        Tensor deformationChannels = toChannels(deformation);
        Tensor embedding = kpEmbedding == null ? null : kpEmbedding.forward(source, driving, sourceKp);
        List<Tensor> warped = new ArrayList<>(skips.size());
        for (Tensor skip : skips) {
            Tensor x = deform(skip, deformationChannels, d);
            if (embedding != null) {
                x = Elementwise.concatChannels(x, resize(embedding, d, skip.dim(3), skip.dim(4)));
            }
            warped.add(x);
        }
        Tensor videoDeformed = deform(source, deformationChannels, d);
        Tensor x = videoDecoder.forward(warped);
        for (ResBlock r : refinement) {
            x = r.forward(x);
        }
        return new Output(convLast.apply(x), videoDeformed, deformation);
    }

    /** Samples a depth-1 input (B, c, 1, h, w) with the deformation resized to its size, for d frames. */
    private Tensor deform(Tensor input, Tensor deformationChannels, int d) {
        Tensor grid = toLast(resize(deformationChannels, d, input.dim(3), input.dim(4)));
        return GridSample.sample(input, grid, GridSample.Padding.ZEROS, true);
    }

    private Tensor resize(Tensor x, int d, int h, int w) {
        if (x.dim(2) == d && x.dim(3) == h && x.dim(4) == w) {
            return x;
        }
        return config.generator().trilinear() ? Interpolate.trilinear(x, d, h, w) : Interpolate.nearest(x, d, h, w);
    }

    /** (B, D, h, w, 3) -> (B, 3, D, h, w). */
    private static Tensor toChannels(Tensor t) {
        int b = t.dim(0);
        int n = t.dim(1) * t.dim(2) * t.dim(3);
        int c = t.dim(4);
        float[] in = t.data();
        float[] out = new float[in.length];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < n; i++) {
                for (int ci = 0; ci < c; ci++) {
                    out[(bi * c + ci) * n + i] = in[(bi * n + i) * c + ci];
                }
            }
        }
        return Tensor.of(out, b, c, t.dim(1), t.dim(2), t.dim(3));
    }

    /** (B, 3, D, h, w) -> (B, D, h, w, 3). */
    private static Tensor toLast(Tensor t) {
        int b = t.dim(0);
        int c = t.dim(1);
        int n = t.dim(2) * t.dim(3) * t.dim(4);
        float[] in = t.data();
        float[] out = new float[in.length];
        for (int bi = 0; bi < b; bi++) {
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < n; i++) {
                    out[(bi * n + i) * c + ci] = in[(bi * c + ci) * n + i];
                }
            }
        }
        return Tensor.of(out, b, t.dim(2), t.dim(3), t.dim(4), c);
    }

    /** BN, ReLU, conv, BN, ReLU, conv, plus the input; the second BN is folded into the first conv. */
    private static final class ResBlock {
        private final float[][] norm1;
        private final Conv2d conv1;
        private final Conv2d conv2;

        ResBlock(Weights w, String prefix, int c) {
            norm1 = Layers.standaloneNorm(w, prefix + ".norm1", c);
            conv1 = Layers.convNorm(w, prefix + ".conv1", prefix + ".norm2", c, c, 3, 1, Activation.RELU);
            conv2 = Layers.conv(w, prefix + ".conv2", c, c, 3, 1);
        }

        Tensor forward(Tensor x) {
            Tensor y = Elementwise.affineChannels(x, norm1[0], norm1[1], Activation.RELU);
            return conv2.applyAdd(conv1.apply(y), x);
        }
    }
}
