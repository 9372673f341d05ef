package io.motionkernels.checkpoint;

import java.nio.file.Path;

/** Placeholder until the torch.save readers land: safetensors only. */
public final class Checkpoints {
    private Checkpoints() {
    }

    public static StateDict load(Path file) {
        return new StateDict(file.toString(), Safetensors.read(file).tensors());
    }
}
