package io.motionkernels;

import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.StateDict;

import java.nio.file.Path;

/** Loads a weights file of any supported format into a state dict. */
final class WeightFiles {
    private WeightFiles() {
    }

    static StateDict load(Path file) {
        return Checkpoints.load(file);
    }
}
