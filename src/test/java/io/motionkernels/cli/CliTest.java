package io.motionkernels.cli;

import io.motionkernels.TestFiles;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.conformance.OpCases;
import io.motionkernels.media.MediaWriter;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end: results, and one clear message with a non-zero exit for bad input. */
class CliTest {
    static final Path GOLDEN = TestFiles.golden();
    static final Path CHECKPOINTS = GOLDEN.resolve("checkpoints");
    static final Path SAMPLE = TestFiles.samples().resolve("00000001.png");
    static final Path DRIVING = TestFiles.samples().resolve("00000005.png");
    /** The trained weights as the published torch file where ../shared has it, else the shipped safetensors. */
    static final Path TRAINED = TestFiles.sharedCheckpoint("shapes-legacy.pth.tar").orElse(TestFiles.shapesWeights());

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** A user error: exit 2, one "error:" line naming the problem, no stack trace, no output file. */
    private void assertUserError(Run r, Path output, String... mentions) throws IOException {
        assertEquals(Main.USER_ERROR, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: "), r.err());
        for (String m : mentions) {
            assertTrue(r.err().contains(m), "message should mention '" + m + "': " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        if (output != null) {
            assertFalse(Files.exists(output), "no output file may be left behind");
            try (Stream<Path> s = Files.list(output.toAbsolutePath().getParent())) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary files left");
            }
        }
    }

    private String[] animate(Path out, String... extra) {
        String[] base = {"animate", "--source", SAMPLE.toString(), "--driving", DRIVING.toString(),
                "--out", out.toString(), "--frames", "2"};
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void trainedCheckpointThroughTheCommandLineReproducesTheReference() throws IOException {
        Safetensors.Contents expected = Safetensors.read(CHECKPOINTS.resolve("shapes-expected.safetensors"));
        Path source = tmp.resolve("source.png");
        Path driving = tmp.resolve("driving.png");
        // The reference inputs are 8-bit values, so PNG holds them exactly.
        MediaWriter.write(source, expected.require("source"), 10);
        MediaWriter.write(driving, expected.require("driving"), 10);
        Path out = tmp.resolve("result.safetensors");
        Run r = run("animate", "--source", source.toString(), "--driving", driving.toString(), "--out", out.toString(),
                "--checkpoint", TRAINED.toString(), "--config", "shapes",
                "--absolute", "--backend", "cpu", "--batch", "3");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("animated 8 frames"), r.out());
        Tensor actual = Safetensors.read(out).require("video_prediction");
        double err = OpCases.relativeL2(actual, expected.require("video_prediction"));
        assertTrue(err <= 1e-4, "relative L2 " + err);
    }

    @Test
    void demoWritesGifAndSideBySide() throws IOException {
        Path gif = tmp.resolve("a.gif");
        Run r = run(animate(gif, "--absolute"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.size(gif) > 0);
        Path png = tmp.resolve("b.png");
        assertEquals(0, run(animate(png, "--view", "side-by-side")).code());
        assertTrue(Files.size(png) > 0);
    }

    @Test
    void missingOrUnreadableInputs() throws IOException {
        Path out = tmp.resolve("o.gif");
        assertUserError(run("animate", "--source", "no/such.png", "--driving", DRIVING.toString(), "--out",
                out.toString()), out, "no/such.png");
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "this is not an image");
        assertUserError(run("animate", "--source", text.toString(), "--driving", DRIVING.toString(), "--out",
                out.toString()), out, "notes.png");
        Path empty = Files.createDirectory(tmp.resolve("frames"));
        assertUserError(run("animate", "--source", SAMPLE.toString(), "--driving", empty.toString(), "--out",
                out.toString()), out, "frames");
    }

    @Test
    void outputInAMissingFolderIsRefusedBeforeAnyWork() throws IOException {
        Path out = tmp.resolve("missing/o.gif");
        assertUserError(run(animate(out)), null, "missing");
        assertFalse(Files.exists(out.getParent()));
        assertUserError(run(animate(tmp.resolve("o.bmp"))), tmp.resolve("o.bmp"), ".gif");
    }

    @Test
    void truncatedOrForeignCheckpoints() throws IOException {
        Path out = tmp.resolve("o.gif");
        byte[] trained = Files.readAllBytes(TRAINED);
        Path cut = tmp.resolve("cut-" + TRAINED.getFileName());
        Files.write(cut, Arrays.copyOf(trained, trained.length / 2));
        assertUserError(run(animate(out, "--checkpoint", cut.toString(), "--config", "shapes")), out,
                cut.getFileName().toString());
        assertUserError(run(animate(out, "--checkpoint", tmp.resolve("none.pth").toString(), "--config", "shapes")),
                out, "none.pth");
        assertUserError(run(animate(out, "--checkpoint", SAMPLE.toString(), "--config", "shapes")), out,
                "00000001.png");
    }

    @Test
    void checkpointForAnotherConfigurationListsTheMismatches() throws IOException {
        Path out = tmp.resolve("o.gif");
        Run r = run(animate(out, "--checkpoint", CHECKPOINTS.resolve("shapes.safetensors").toString(),
                "--config", "nemo"));
        assertUserError(r, out, "do not match", "nemo", "wrong shape");
    }

    @Test
    void keypointDetectorOnlyCheckpointSaysWhatIsMissing() throws IOException {
        Path out = tmp.resolve("o.gif");
        // The torch zip of ../shared when present, else the same content (the detector alone) as safetensors.
        Path kpOnly = TestFiles.sharedCheckpoint("shapes-kp-zip.pth").orElse(null);
        if (kpOnly == null) {
            Map<String, Tensor> kp = new LinkedHashMap<>(Checkpoints.load(TestFiles.shapesWeights()).tensors());
            kp.keySet().removeIf(k -> !k.startsWith("kp_detector."));
            kpOnly = tmp.resolve("shapes-kp.safetensors");
            Safetensors.write(kpOnly, kp, Map.of());
        }
        Run r = run(animate(out, "--checkpoint", kpOnly.toString(), "--config", "shapes"));
        assertUserError(r, out, "no generator weights", "only kp_detector");
    }

    @Test
    void pickleWithAForeignGlobalIsRefused() throws IOException {
        Path evil = tmp.resolve("evil.pth");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(evil))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            // protocol 2: GLOBAL posix.system, the argument ('touch pwned',), REDUCE, STOP
            OutputStream o = zip;
            o.write(new byte[]{(byte) 0x80, 2});
            o.write("cposix\nsystem\nX\u000b\u0000\u0000\u0000touch pwned\u0085R.".getBytes(StandardCharsets.ISO_8859_1));
            zip.closeEntry();
        }
        Path out = tmp.resolve("o.gif");
        assertUserError(run(animate(out, "--checkpoint", evil.toString(), "--config", "shapes")), out,
                "posix", "system");
        assertFalse(Files.exists(Path.of("pwned")));
    }

    @Test
    void cudaWithoutAUsableGpuIsRefusedWithTheReason() throws IOException {
        Path out = tmp.resolve("o.gif");
        assertUserError(run(animate(out, "--backend", "cuda")), out, "cuda", "--backend cpu");
        assertUserError(run(animate(out, "--backend", "tpu")), out, "tpu");
    }

    @Test
    void helpAndInfo() {
        Run help = run("animate", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--driving") && help.out().contains("--relative"), help.out());
        Run info = run("info");
        assertEquals(0, info.code());
        assertTrue(info.out().contains("cpu:") && info.out().contains("cuda:"), info.out());
        assertTrue(info.out().contains("convolution: Vector API"), info.out());
        assertEquals(0, run("--help").code());
        assertTrue(run("animate").code() != 0, "missing required options must fail");
    }

    @Test
    void verifyPassesEveryReferenceCase() {
        Run r = run("verify", GOLDEN.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().matches("(?s).*\\n[1-9][0-9]* passed, 0 failed\\s*"), r.out());
        assertTrue(r.out().contains("nemo/transfer.safetensors"), r.out());
    }

    @Test
    void verifyPassesGoodCasesAndFailsTamperedOnes() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("cases"));
        Files.copy(GOLDEN.resolve("ops/kp2gaussian_single.safetensors"), dir.resolve("good.safetensors"));
        Run ok = run("verify", dir.toString());
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("good.safetensors") && ok.out().contains("pass"), ok.out());

        Safetensors.Contents c = Safetensors.read(GOLDEN.resolve("ops/kp2gaussian_single.safetensors"));
        Map<String, Tensor> tampered = new LinkedHashMap<>(c.tensors());
        Tensor outT = c.require("out").copy();
        outT.data()[17] += 0.5f;
        tampered.put("out", outT);
        Safetensors.write(dir.resolve("tampered.safetensors"), tampered, c.metadata());
        Map<String, String> md = new LinkedHashMap<>(c.metadata());
        md.put("kind", "op:teleport");
        Safetensors.write(dir.resolve("unknown.safetensors"), c.tensors(), md);
        Run bad = run("verify", dir.toString());
        assertEquals(Main.USER_ERROR, bad.code(), bad.toString());
        assertTrue(bad.out().contains("tampered.safetensors") && bad.out().contains("FAIL"), bad.out());
        assertTrue(bad.out().contains("teleport"), bad.out());
        assertTrue(bad.out().contains("1 passed, 2 failed"), bad.out());
    }

    @Test
    void verifyTakesSeveralFoldersAndABackend() {
        Run both = run("verify", "--backend", "cpu", GOLDEN.resolve("shapes").toString(), GOLDEN.resolve("ops").toString());
        assertEquals(0, both.code(), both.toString());
        assertTrue(both.out().contains(GOLDEN.resolve("shapes").resolve("kp_detector.safetensors").toString()), both.out());
        assertTrue(both.out().contains(GOLDEN.resolve("ops").toString()), both.out());
        if (io.motionkernels.Backends.cudaUnavailableReason() != null) {
            // no GPU here: every model case fails, the operation cases still run on the CPU kernels
            Run gpu = run("verify", "--backend", "cuda", GOLDEN.resolve("shapes").toString());
            assertEquals(Main.USER_ERROR, gpu.code(), gpu.toString());
            assertTrue(gpu.out().contains("CUDA cannot be used"), gpu.out());
        }
        assertEquals(Main.USER_ERROR, run("verify", "--backend", "tpu", GOLDEN.toString()).code());
    }
}
