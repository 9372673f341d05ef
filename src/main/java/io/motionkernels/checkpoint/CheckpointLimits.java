package io.motionkernels.checkpoint;

/**
 * Bounds on what a checkpoint may declare, checked before the work they bound: a small hostile
 * file must not buy seconds of work or gigabytes of memory with a large claim. Each is a system
 * property, so a genuine file beyond a bound can still be read, e.g.
 * {@code java -Dmotionkernels.checkpoint.maxTensors=500000 -jar motion-kernels.jar ...}.
 */
public final class CheckpointLimits {
    /** Bytes of a safetensors JSON header (Monkey-Net's are tens of kilobytes). */
    public static final String MAX_HEADER_BYTES = "motionkernels.checkpoint.maxHeaderBytes";
    /** Tensors one safetensors file may name (Monkey-Net's have a few hundred). */
    public static final String MAX_TENSORS = "motionkernels.checkpoint.maxTensors";
    /** Bytes of the pickle of a zip {@code torch.save} file once inflated. */
    public static final String MAX_PICKLE_BYTES = "motionkernels.checkpoint.maxPickleBytes";

    private CheckpointLimits() {
    }

    static long maxHeaderBytes() {
        return get(MAX_HEADER_BYTES, 32L << 20);
    }

    static long maxTensors() {
        return get(MAX_TENSORS, 100_000);
    }

    static long maxPickleBytes() {
        return get(MAX_PICKLE_BYTES, 64L << 20);
    }

    private static long get(String property, long fallback) {
        Long v = Long.getLong(property);
        return v == null || v <= 0 ? fallback : v;
    }

    /** The advice appended to a refusal: how to raise the bound if the file is genuine. */
    static String raise(String property) {
        return "if the file is genuine, raise the limit with java -D" + property + "=N";
    }
}
