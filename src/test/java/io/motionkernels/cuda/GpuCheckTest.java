package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GpuCheck's verify runner on the CPU device: what the GPU stages will judge, judged here first. */
class GpuCheckTest {
    private static final Path SHAPES = Path.of("src/test/resources/golden/shapes");

    private static String[] verify(String... args) {
        return capture(true, args);
    }

    private static String[] capture(boolean verify, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = verify ? GpuCheck.verify(args) : GpuCheck.timings(args);
        } finally {
            System.setOut(old);
        }
        return new String[] {String.valueOf(rc), buf.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void strictRunsEveryKindOfCase() {
        String[] r = verify("--device", "cpu", SHAPES.toString());
        assertEquals("0", r[0], r[1]);
        // kp_detector (image and video), generator, and the transfer through the public API.
        assertTrue(r[1].lines().filter(l -> l.startsWith("PASS")).count() >= 4, r[1]);
        assertTrue(r[1].contains("transfer"), r[1]);
        assertTrue(r[1].contains("verify (cpu device, strict, bound 1e-04): "), r[1]);
    }

    @Test
    void replayedAndPoisonedRunsPassAndSkipOnlyWhatThePublicApiCannotDo() {
        String[] r = verify("--device", "cpu", "--replay", "--poison", SHAPES.toString());
        assertEquals("0", r[0], r[1]);
        List<String> skipped = r[1].lines().filter(l -> l.startsWith("SKIP")).toList();
        assertEquals(1, skipped.size(), r[1]);
        assertTrue(skipped.get(0).contains("transfer"), skipped.get(0));
    }

    @Test
    void aTooTightBoundFails() {
        // The runner can fail: float32 CPU results are not within 1e-9 of the float64 references.
        String[] r = verify("--device", "cpu", "--bound", "1e-9", SHAPES.resolve("kp_detector.safetensors").getParent()
                .toString());
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].lines().anyMatch(l -> l.startsWith("FAIL")), r[1]);
    }

    @Test
    void timingsReportStreamedAndBatchedFramesForBothPrecisions() {
        String[] r = capture(false, "--device", "cpu", "--config", "shapes", "--batch", "2", "--seconds", "0.01");
        assertEquals("0", r[0], r[1]);
        for (String p : List.of("strict", "fast")) {
            for (String mode : List.of("stream (1 frame per call)", "batch (2 frames per call)")) {
                assertTrue(r[1].lines().anyMatch(l -> l.startsWith("timing shapes 64x64 " + p + " " + mode + ": ")
                        && l.contains(" ms/frame mean, ")), p + " " + mode + ":\n" + r[1]);
            }
        }
    }

    @Test
    void timingsRunFommConfigurationsToo(@TempDir Path tmp) throws Exception {
        Path yaml = Files.writeString(tmp.resolve("small-fomm.yaml"), io.motionkernels.model.FommTestModels.yaml(
                "    estimate_jacobian: True\n", "    scale_factor: 0.5\n", "    estimate_occlusion_map: True\n",
                "      scale_factor: 0.5\n"));
        String[] r = capture(false, "--device", "cpu", "--config", yaml.toString(), "--batch", "2", "--seconds", "0.01");
        assertEquals("0", r[0], r[1]);
        for (String p : List.of("strict", "fast")) {
            for (String mode : List.of("stream (1 frame per call)", "batch (2 frames per call)")) {
                assertTrue(r[1].lines().anyMatch(l -> l.startsWith("timing " + yaml + " 64x64 " + p + " " + mode + ": ")
                        && l.contains(" ms/frame mean, ")), p + " " + mode + ":\n" + r[1]);
            }
        }
    }

    @Test
    void convsCoverEveryConvolutionOfTheModelGraphs() {
        List<GpuCheck.ConvShape> shapes = GpuCheck.convShapes("shapes");
        // The x2 decoder inputs and the refinement blocks' residual convolutions are among them.
        assertTrue(shapes.stream().anyMatch(s -> s.up() == 2), shapes.toString());
        assertTrue(shapes.stream().anyMatch(GpuCheck.ConvShape::residual), shapes.toString());
        assertTrue(shapes.stream().anyMatch(s -> s.spec().name().startsWith("kp_detector")), shapes.toString());
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = GpuCheck.convs(new String[] {"--device", "cpu", "--config", "shapes"});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertEquals(shapes.size(), out.lines().filter(l -> l.startsWith("PASS conv shapes ")).count(), out);
        assertTrue(out.contains("convs (shapes, strict, bound 1e-05): " + shapes.size() + " passed, 0 failed"), out);
    }

    @Test
    void noCasesIsAnError(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        try {
            verify("--device", "cpu", tmp.resolve("empty").toString());
            throw new AssertionError("expected an error");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("no .safetensors reference cases"), e.getMessage());
        }
    }
}
