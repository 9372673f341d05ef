package io.motionkernels.model;

import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.Conv2d;
import io.motionkernels.cpu.Elementwise;
import io.motionkernels.tensor.Tensor;

/**
 * Builds prepared layers from checkpoint parameters. Batch norm that follows a convolution is
 * folded into it here, once, at load time.
 */
final class Layers {
    static final double BN_EPS = 1e-5;

    private Layers() {
    }

    /** Conv3d with kernel (1, k, k) named {@code name} ({@code name.weight}, {@code name.bias}). */
    static Conv2d conv(Weights w, String name, int cin, int cout, int k, int groups) {
        Tensor weight = w.get(name + ".weight", cout, cin / groups, 1, k, k);
        Tensor bias = w.get(name + ".bias", cout);
        return Conv2d.of(weight.data(), bias.data(), cout, cin, k, k, groups);
    }

    /** A convolution followed by batch norm {@code norm} and {@code act}, folded into one. */
    static Conv2d convNorm(Weights w, String conv, String norm, int cin, int cout, int k, int groups, Activation act) {
        float[][] bn = batchNorm(w, norm, cout);
        return conv(w, conv, cin, cout, k, groups).foldBatchNorm(bn[0], bn[1], bn[2], bn[3], BN_EPS).withActivation(act);
    }

    /** {gamma, beta, running_mean, running_var} of BatchNorm3d {@code name}. */
    static float[][] batchNorm(Weights w, String name, int c) {
        return new float[][]{w.get(name + ".weight", c).data(), w.get(name + ".bias", c).data(),
                w.get(name + ".running_mean", c).data(), w.get(name + ".running_var", c).data()};
    }

    /** A batch norm that precedes a convolution (it cannot be folded because of zero padding). */
    static float[][] standaloneNorm(Weights w, String name, int c) {
        float[][] bn = batchNorm(w, name, c);
        return Elementwise.batchNormScaleShift(bn[0], bn[1], bn[2], bn[3], BN_EPS);
    }
}
