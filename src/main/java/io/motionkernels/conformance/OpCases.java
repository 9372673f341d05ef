package io.motionkernels.conformance;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.checkpoint.Safetensors;

import java.util.List;

/** Placeholder until the op-case dispatcher lands. */
public final class OpCases {
    private OpCases() {
    }

    public static List<Comparison> run(Safetensors.Contents c) {
        throw new MotionKernelsException("op cases are not supported yet");
    }
}
