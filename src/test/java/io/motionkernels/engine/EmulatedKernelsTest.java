package io.motionkernels.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.engine.OpsHarness.Result;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The op harness's table on the CUDA kernels' own code, compiled for the CPU
 * ({@link EmulatedKernelsDevice}), against the CPU device: every case of every kernel family
 * (convolutions and strided copies are cuDNN's on the GPU and are left out) within its
 * tolerance. This is what the GPU run will compare, less what only a GPU does.
 */
class EmulatedKernelsTest {
    @Test
    void theKernelsPassTheHarnessTable() throws IOException, InterruptedException {
        assumeTrue(onPath("g++"), "no g++ on this machine");
        Path server = Path.of("target", "kernel-server").toAbsolutePath();
        Process cc = new ProcessBuilder("g++", "-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror",
                "-Wno-unused-parameter", "-o", server.toString(), "native-tests/emulate/kernel_server.cpp")
                .redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cc.waitFor(3, TimeUnit.MINUTES), "g++ did not finish");
        assertEquals(0, cc.exitValue(), ccOut);

        List<OpCase> kernels = OpTable.all().stream()
                .filter(c -> !c.family().equals("conv") && !c.family().equals("copy_strided")).toList();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Result> results;
        try (Device emulated = new EmulatedKernelsDevice(server);
             PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            results = OpsHarness.run(kernels, new CpuDevice(), emulated, "emulated kernels", out);
        }
        String failed = results.stream().filter(r -> !r.passed()).map(r -> OpsHarness.line(r, 0))
                .collect(Collectors.joining("\n"));
        assertEquals("", failed, log.toString(StandardCharsets.UTF_8));
        // the kernels really ran: their float32 coordinates differ from the CPU's double ones
        Result sampled = results.stream()
                .filter(r -> r.opCase().name().startsWith("grid_sample_depth1/zeros ac1 c3 256x256")).findFirst()
                .orElseThrow();
        assertTrue(sampled.relL2() > 0, OpsHarness.line(sampled, 0));
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
