package io.motionkernels.checkpoint;

import io.motionkernels.tensor.Tensor;

/**
 * Where a model being built takes its parameters from. Parameters are asked for by full
 * checkpoint name ({@code generator.video_decoder.up_blocks.0.conv.weight}) and expected shape.
 */
public interface Weights {
    Tensor get(String name, int... shape);

    /** Deterministic weights of a {@code prng} reference case. */
    static Weights prng(long seed) {
        return (name, shape) -> Tensor.of(PrngWeights.generate(name, shape, seed), shape);
    }
}
