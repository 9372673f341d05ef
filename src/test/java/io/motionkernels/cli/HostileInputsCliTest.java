package io.motionkernels.cli;

import io.motionkernels.DemoModel;
import io.motionkernels.checkpoint.HostileFiles;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13 through the command line: each hostile or broken input is one "error:" line and exit 2. */
class HostileInputsCliTest {
    @TempDir
    Path tmp;

    private Path out() {
        return tmp.resolve("out.gif");
    }

    private void refused(String[] args, String... mentions) throws IOException {
        long start = System.nanoTime();
        CliTest.Run r = CliTest.run(args);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(Main.USER_ERROR, r.code(), r.toString());
        long errorLines = r.err().lines().filter(l -> l.startsWith("error:")).count();
        assertEquals(1, errorLines, r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        for (String m : mentions) {
            assertTrue(r.err().contains(m), "'" + m + "' not in: " + r.err());
        }
        assertFalse(Files.exists(out()), "no output");
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files");
        }
        // building the model and reading the inputs takes part of this; the refusal itself much less
        assertTrue(seconds < 10, seconds + " s");
    }

    private String[] animate(String... extra) {
        String[] base = {"animate", "--source", CliTest.SAMPLE.toString(), "--driving", CliTest.DRIVING.toString(),
                "--out", out().toString(), "--frames", "1", "--backend", "cpu"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, content);
        return p;
    }

    @Test
    void hostileCheckpoints() throws IOException {
        refused(animate("--config", "shapes", "--checkpoint",
                file("redescribed.pth", HostileFiles.legacyRedescribedStorage()).toString()), "described in two");
        refused(animate("--config", "shapes", "--checkpoint",
                file("overlap.safetensors", HostileFiles.safetensorsOverlapping(12_000, 1 << 16)).toString()), "overlap");
        refused(animate("--config", "shapes", "--checkpoint",
                file("nan.safetensors", HostileFiles.safetensorsF32("kp_detector.w", Float.NaN)).toString()), "NaN");
        Path bomb = tmp.resolve("bomb.pth");
        HostileFiles.zipPickleBomb(bomb, 65L << 20);
        refused(animate("--config", "shapes", "--checkpoint", bomb.toString()), "maxPickleBytes");
    }

    @Test
    void safetensorsHeadersWithoutAConfigOption() throws IOException {
        String t = "\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        String[] headers = {"{\"__metadata__\":{\"config_name\":5}," + t + "}",
                "{\"__metadata__\":{\"config_name\":[\"shapes\"]}," + t + "}",
                "{\"__metadata__\":{\"config_name\":null}," + t + "}",
                "{1:{}," + t + "}", "{\"__metadata__\":{\"config_name\":\"shapes\",\"config_name\":\"vox\"}," + t + "}"};
        for (String h : headers) {
            refused(animate("--checkpoint", file("h.safetensors", HostileFiles.safetensors(h, new byte[4])).toString()),
                    "h.safetensors");
        }
    }

    @Test
    void configurationsOutOfRange() throws IOException {
        String shapes;
        try (InputStream in = getClass().getResourceAsStream("/io/motionkernels/configs/shapes.yaml")) {
            shapes = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("blocks.yaml", shapes.replace("    num_blocks: 5\n    temperature", "    num_blocks: 31\n    temperature"));
        cases.put("temperature.yaml", shapes.replace("temperature: 0.1", "temperature: 1e-320"));
        cases.put("refinement.yaml", shapes.replace("num_refinement_blocks: 4", "num_refinement_blocks: 100000"));
        cases.put("scale.yaml", shapes.replace("    temperature: 0.1", "    temperature: 0.1\n    scale_factor: 1e-300"));
        for (Map.Entry<String, String> e : cases.entrySet()) {
            Path p = tmp.resolve(e.getKey());
            Files.writeString(p, e.getValue());
            refused(animate("--config", p.toString()), "model_params.");
        }
    }

    @Test
    void weightsThatMakeTheNetworkDivergeWriteNothing() throws IOException {
        Map<String, Tensor> w = new LinkedHashMap<>(DemoModel.weights().tensors());
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            if (e.getKey().startsWith("kp_detector.") && e.getKey().endsWith(".weight")) {
                float[] d = e.getValue().data().clone();
                for (int i = 0; i < d.length; i++) {
                    d[i] *= 1e30f;
                }
                e.setValue(Tensor.of(d, e.getValue().shape()));
            }
        }
        Path ckpt = tmp.resolve("diverging.safetensors");
        Safetensors.write(ckpt, w, Map.of());
        refused(animate("--config", "shapes", "--checkpoint", ckpt.toString()), "the model produced", "nothing was written");
    }

    @Test
    void outputPathsThatCannotBeFiles() throws IOException {
        String[] root = {"animate", "--source", CliTest.SAMPLE.toString(), "--driving", CliTest.DRIVING.toString(),
                "--out", "/"};
        refused(root, "is a folder");
        Path dir = Files.createDirectory(tmp.resolve("d.safetensors"));
        String[] folder = {"animate", "--source", CliTest.SAMPLE.toString(), "--driving", CliTest.DRIVING.toString(),
                "--out", dir.toString()};
        refused(folder, "is a folder");
    }

    @Test
    void anyOtherExceptionIsAnInternalErrorInOneLine() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.internalError(new IndexOutOfBoundsException("x".repeat(10_000)),
                new java.io.PrintWriter(err, true));
        assertEquals(Main.INTERNAL_ERROR, code);
        assertEquals(3, code);
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("error: internal error (java.lang.IndexOutOfBoundsException: xxx"));
        assertTrue(err.toString().contains("please report"));
        assertTrue(err.toString().length() < 400);
    }
}
