package io.motionkernels.checkpoint;

import io.motionkernels.tensor.Tensor;

/**
 * Where a model being built takes its parameters from. Parameters are asked for by full
 * checkpoint name ({@code generator.video_decoder.up_blocks.0.conv.weight}) and expected shape.
 */
public interface Weights {
    /**
     * The parameter {@code name} with the given shape.
     *
     * @param name  the full checkpoint name ({@code generator.video_decoder.up_blocks.0.conv.weight})
     * @param shape the shape the model expects
     * @return the parameter's values, of that shape
     */
    Tensor get(String name, int... shape);

    /**
     * Deterministic weights of a {@code prng} reference case (see {@link PrngWeights}).
     *
     * @param seed the case's seed
     * @return weights that make every parameter from its name and the seed
     */
    static Weights prng(long seed) {
        return (name, shape) -> Tensor.of(PrngWeights.generate(name, shape, seed), shape);
    }
}
