package io.motionkernels.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.motionkernels.checkpoint.CheckpointException;
import io.motionkernels.checkpoint.Checkpoints;

/**
 * The checkpoint loader (every format, recognised by content) on arbitrary bytes: it loads the
 * weights or throws a CheckpointException. Seeds: CheckpointsFuzzTestInputs/load/.
 */
public class CheckpointsFuzzTest {
    @FuzzTest(maxExecutions = 10_000)
    public void load(byte[] data) {
        fuzzerTestOneInput(data);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            Checkpoints.load(FuzzFiles.write(data));
        } catch (CheckpointException expected) {
            // a refusal is a pass; anything else escaping is a finding
        }
    }
}
