package io.motionkernels.engine;

/** Element-wise functions fused into the end of an operation (an epilogue). */
public enum Activation {
    NONE, RELU, LEAKY_RELU_0_2, SIGMOID;

    public float apply(float v) {
        return switch (this) {
            case NONE -> v;
            case RELU -> v > 0 ? v : 0f;
            case LEAKY_RELU_0_2 -> v > 0 ? v : 0.2f * v;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-v)));
        };
    }
}
