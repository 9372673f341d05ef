package io.motionkernels.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.motionkernels.checkpoint.CheckpointException;
import io.motionkernels.checkpoint.Safetensors;

/**
 * The safetensors reader on arbitrary bytes: it reads the file or throws a CheckpointException.
 * Seeds: SafetensorsFuzzTestInputs/read/ (hand-made reproductions of issue 13's files).
 */
public class SafetensorsFuzzTest {
    @FuzzTest(maxExecutions = 10_000)
    public void read(byte[] data) {
        fuzzerTestOneInput(data);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            Safetensors.read(FuzzFiles.write(data));
        } catch (CheckpointException expected) {
            // a refusal is a pass; anything else escaping is a finding
        }
    }
}
