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

    /** {@code source} names where the tensors came from, for messages (usually the file). */
    public StateDict(String source, Map<String, Tensor> tensors) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
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
            return Tensor.zeros(shape);
        }
        if (!t.hasShape(shape)) {
            misShaped.add(name + " is " + t.shapeString() + ", expected " + Arrays.toString(shape));
            return Tensor.zeros(shape);
        }
        return t;
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
        if (missing.isEmpty() && misShaped.isEmpty() && unexpected.isEmpty()) {
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
        StringBuilder b = new StringBuilder("the weights in " + source + " do not match the configuration "
                + configName + " (is it a checkpoint for another configuration?):");
        appendList(b, "missing", missing);
        appendList(b, "wrong shape", misShaped);
        appendList(b, "unexpected", unexpected);
        throw new CheckpointException(b.toString());
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
