package io.motionkernels.cpu;

import io.motionkernels.tensor.Tensor;

public final class Softmax {
    private Softmax() {
    }

    /** Softmax of x / temperature over the H*W pixels of each (b, c, d) of a (B, C, D, H, W) tensor. */
    public static Tensor overPixels(Tensor x, double temperature) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Softmax over channels [0, channels) of a (B, C, D, H, W) tensor: (B, channels, D, H, W). */
    public static Tensor overChannels(Tensor x, int channels) {
        throw new UnsupportedOperationException("TODO");
    }
}
