package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the CUDA kernels compute, checked without a GPU: native-tests/emulate compiles kernels/*.cu
 * for the CPU (g++ with a small CUDA shim: blocks in turn, a block's threads as fibers that meet
 * at every barrier and shuffle) and compares every kernel with the golden op cases and with
 * double-precision loops. It cannot see GPU-only faults (races, memory, the real compiler's
 * code); the GPU harness in native-tests covers those.
 */
class KernelEmulationTest {
    @Test
    void kernelsComputeWhatTheGoldensSay() throws IOException, InterruptedException {
        assumeTrue(onPath("g++"), "no g++ on this machine");
        Path ops = io.motionkernels.TestFiles.golden().resolve("ops");
        Path fomm = io.motionkernels.TestFiles.fommGolden();
        ProcessBuilder pb = new ProcessBuilder("bash", "native-tests/emulate/run.sh", ops.toString(), fomm.toString());
        pb.environment().put("EMULATE_BIN", Path.of("target", "emulate-kernels").toAbsolutePath().toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "emulation did not finish");
        assertEquals(0, p.exitValue(), out);
        if (Files.isDirectory(ops)) {
            assertTrue(out.contains("gaussian2kp_matrix_clip.safetensors var"), "golden cases did not run:\n" + out);
        }
        assertTrue(out.contains("antialias_0.25_odd_size.safetensors") && out.contains("sparse_motion with jacobians"),
                "FOMM kernels did not run:\n" + out);
        assertTrue(out.contains(" 0 failed"), out);
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
