package io.motionkernels.checkpoint;

import io.motionkernels.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors loaded from a checkpoint, with full names ({@code generator.…}, {@code kp_detector.…}).
 * As {@link Weights} it records every problem (a missing or mis-shaped parameter) instead of stopping
 * at the first, so that {@link #checkComplete} can report them all in one message.
 */
public final class StateDict implements Weights {
    private final String source;
    private final Map<String, Tensor> tensors;
    private final Set<String> used = new LinkedHashSet<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> misShaped = new ArrayList<>();
    /** Names the file stored as integers or booleans: no trained network has such weights. */
    private final Set<String> integerStored;
    private final List<String> integers = new ArrayList<>();
    /** Elements of the zero tensors handed out for missing or mis-shaped parameters. */
    private long placeholderElements;

    /** {@code source} names where the tensors came from, for messages (usually the file). */
    public StateDict(String source, Map<String, Tensor> tensors) {
        this(source, tensors, Set.of());
    }

    StateDict(String source, Map<String, Tensor> tensors, Set<String> integerStored) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.integerStored = Set.copyOf(integerStored);
    }

    public String source() {
        return source;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    @Override
    public synchronized Tensor get(String name, int... shape) {
        used.add(name);
        Tensor t = tensors.get(name);
        if (t == null) {
            missing.add(name + " " + Arrays.toString(shape));
            return placeholder(shape);
        }
        if (!t.hasShape(shape)) {
            misShaped.add(name + " is " + t.shapeString() + ", expected " + Arrays.toString(shape));
            return placeholder(shape);
        }
        if (integerStored.contains(name)) {
            integers.add(name);
        }
        return t;
    }

    /**
     * Zeros standing in for a parameter the file lacks, so that building goes on and every problem
     * is reported at once; but a configuration far from the file's (say, 100,000 refinement blocks)
     * must not allocate for seconds first, so past 2^26 such elements the report comes now.
     */
    private Tensor placeholder(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n = Math.min(n * Math.max(s, 0), 1L << 40);
        }
        placeholderElements += n;
        if (placeholderElements > 1L << 26) {
            throw new CheckpointException(mismatch("", List.of()).append("\n  (stopped early: the configuration"
                    + " asks for far more parameters than the file has)").toString());
        }
        return Tensor.zeros(shape);
    }

    /**
     * Throws one {@link CheckpointException} listing every missing, mis-shaped and unexpected
     * parameter under the given prefixes (for example {@code generator.}, {@code kp_detector.}).
     * Batch-norm {@code num_batches_tracked} counters are ignored: inference does not use them.
     */
    public synchronized void checkComplete(String configName, String... prefixes) {
        List<String> unexpected = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (used.contains(name) || name.endsWith(".num_batches_tracked")) {
                continue;
            }
            for (String p : prefixes) {
                if (name.startsWith(p)) {
                    unexpected.add(name + " " + tensors.get(name).shapeString());
                    break;
                }
            }
        }
        if (missing.isEmpty() && misShaped.isEmpty() && unexpected.isEmpty() && integers.isEmpty()) {
            return;
        }
        for (String p : prefixes) {
            boolean anyPresent = tensors.keySet().stream().anyMatch(n -> n.startsWith(p));
            if (!anyPresent && used.stream().anyMatch(n -> n.startsWith(p))) {
                String net = p.substring(0, p.length() - 1);
                throw new CheckpointException(source + " holds no " + net + " weights (it has "
                        + networks() + "): this needs a checkpoint with both the generator and the keypoint"
                        + " detector, such as the published Monkey-Net checkpoints");
            }
        }
        if (missing.isEmpty() && misShaped.isEmpty() && unexpected.isEmpty()) {
            StringBuilder b = new StringBuilder(source + " stores weights as integers, where a trained network has"
                    + " floating-point values (the file was converted wrongly, or is not a Monkey-Net checkpoint):");
            appendList(b, "stored as integers", integers);
            throw new CheckpointException(b.toString());
        }
        throw new CheckpointException(mismatch(configName, unexpected).toString());
    }

    private StringBuilder mismatch(String configName, List<String> unexpected) {
        StringBuilder b = new StringBuilder("the weights in " + source + " do not match the configuration"
                + (configName.isEmpty() ? "" : " " + configName) + " (is it a checkpoint for another configuration?):");
        appendList(b, "missing", missing);
        appendList(b, "wrong shape", misShaped);
        appendList(b, "unexpected", unexpected);
        return b;
    }

    /** The networks this state dict has weights for, e.g. "kp_detector". */
    private String networks() {
        Set<String> nets = new java.util.TreeSet<>();
        for (String n : tensors.keySet()) {
            nets.add(n.contains(".") ? n.substring(0, n.indexOf('.')) : n);
        }
        return nets.isEmpty() ? "no tensors" : "only " + String.join(", ", nets);
    }

    private static void appendList(StringBuilder b, String what, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        b.append("\n  ").append(items.size()).append(' ').append(what).append(':');
        int shown = 0;
        for (String s : items) {
            if (shown++ == 12) {
                b.append("\n    … and ").append(items.size() - 12).append(" more");
                break;
            }
            b.append("\n    ").append(s);
        }
    }
}
