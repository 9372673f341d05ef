package io.motionkernels.engine;

import io.motionkernels.engine.Activation;

/**
 * A 2-D convolution of the model as the GPU runs it: stride 1, padding k/2, {@code groups},
 * weights (cout, cin/groups, k, k) with any batch norm already folded in, a bias, and a fused
 * activation that is NONE or RELU (cuDNN's fused epilogue has no sigmoid; the executor applies
 * the last layer's sigmoid with a kernel).
 */
public record ConvSpec(String name, int cin, int cout, int k, int groups, float[] weight, float[] bias,
                       Activation activation) {
    public ConvSpec {
        if (cin <= 0 || cout <= 0 || groups <= 0 || cin % groups != 0 || cout % groups != 0 || k <= 0 || k % 2 == 0) {
            throw new IllegalArgumentException(name + ": bad conv " + cin + "->" + cout + " k" + k + " groups " + groups);
        }
        if (weight.length != (long) cout * (cin / groups) * k * k || bias.length != cout) {
            throw new IllegalArgumentException(name + ": weight/bias sizes " + weight.length + "/" + bias.length);
        }
        if (activation != Activation.NONE && activation != Activation.RELU) {
            throw new IllegalArgumentException(name + ": fused activation must be NONE or RELU, got " + activation);
        }
    }

    /** The same convolution followed by inference batch norm, folded (as {@code Conv2d.foldBatchNorm}). */
    public ConvSpec foldBatchNorm(float[] gamma, float[] beta, float[] mean, float[] var, double eps) {
        float[] w = new float[weight.length];
        float[] b = new float[cout];
        int per = weight.length / cout;
        for (int co = 0; co < cout; co++) {
            double s = gamma[co] / Math.sqrt((double) var[co] + eps);
            for (int i = 0; i < per; i++) {
                w[co * per + i] = (float) (weight[co * per + i] * s);
            }
            b[co] = (float) (((double) bias[co] - mean[co]) * s + beta[co]);
        }
        return new ConvSpec(name, cin, cout, k, groups, w, b, activation);
    }

    public ConvSpec withActivation(Activation act) {
        return new ConvSpec(name, cin, cout, k, groups, weight, bias, act);
    }
}
