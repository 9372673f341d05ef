package io.motionkernels.checkpoint;

import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;
import java.util.Map;

/**
 * Values no trained Monkey-Net holds, refused at load: one NaN weight or a negative batch-norm
 * variance would otherwise turn every output value into NaN (or garbage) and
 * produce a black video without a word. (Weights stored as integers are refused when a network
 * asks for them: {@link StateDict}.)
 */
final class WeightChecks {
    private WeightChecks() {
    }

    /** Batch-norm {@code num_batches_tracked} counters are integers by nature and unused by inference. */
    static void check(Path file, Map<String, Tensor> tensors) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(".num_batches_tracked")) {
                continue;
            }
            float[] v = e.getValue().data();
            boolean variance = name.endsWith(".running_var");
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new CheckpointException(file + ": weight '" + Safetensors.shown(name) + "' holds " + v[i]
                            + " at element " + i + " of " + v.length + "; the checkpoint is damaged (or was saved"
                            + " after training diverged): use another checkpoint");
                }
                // Zero is allowed: inference divides by sqrt(var + eps). Below zero it is NaN.
                if (variance && v[i] < 0) {
                    throw new CheckpointException(file + ": batch-norm variance '" + Safetensors.shown(name)
                            + "' is negative (" + v[i] + " at element " + i + "), which no training produces;"
                            + " the checkpoint is damaged: use another checkpoint");
                }
            }
        }
    }
}
