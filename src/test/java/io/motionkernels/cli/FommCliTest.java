package io.motionkernels.cli;

import io.motionkernels.Backend;
import io.motionkernels.FommModel;
import io.motionkernels.TestFiles;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.StateDict;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.media.MediaReader;
import io.motionkernels.media.Video;
import io.motionkernels.model.FommConfig;
import io.motionkernels.model.FommTestModels;
import io.motionkernels.tensor.Frames;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code animate} and {@code verify} with First Order Motion Model configurations. */
class FommCliTest {
    @TempDir
    Path tmp;

    Path sample;
    Path driving;

    /** A 64x64 photo-like source and a 3-frame 64x64 GIF, made with the library's own writer. */
    @org.junit.jupiter.api.BeforeEach
    void media() throws IOException {
        java.util.Random r = new java.util.Random(3);
        Tensor video = Tensor.zeros(1, 3, 4, 64, 64);
        for (int c = 0; c < 3; c++) {
            for (int f = 0; f < 4; f++) {
                for (int i = 0; i < 64; i++) {
                    for (int j = 0; j < 64; j++) {
                        double v = 0.5 + 0.4 * Math.sin((i + 3 * f) / (7.0 + c)) * Math.cos((j - 2 * f) / 9.0);
                        video.data()[(((c * 4) + f) * 64 + i) * 64 + j] = (float) (v + 0.02 * r.nextGaussian());
                    }
                }
            }
        }
        for (int i = 0; i < video.numel(); i++) {
            video.data()[i] = Math.max(0f, Math.min(1f, video.data()[i]));
        }
        sample = tmp.resolve("source.png");
        io.motionkernels.media.MediaWriter.write(sample, Frames.slice(video, 0, 1), 10);
        driving = tmp.resolve("driving.gif");
        io.motionkernels.media.MediaWriter.write(driving, Frames.slice(video, 1, 3), 10);
    }

    private Path[] smallModel() throws IOException {
        String yaml = FommTestModels.yaml("    estimate_jacobian: True\n", "    scale_factor: 0.5\n",
                "    estimate_occlusion_map: True\n", "      scale_factor: 0.5\n");
        Path config = Files.writeString(tmp.resolve("small.yaml"), yaml);
        StateDict sd = FommTestModels.stateDict(FommConfig.parse("small", yaml), 21);
        Path checkpoint = tmp.resolve("small.safetensors");
        Safetensors.write(checkpoint, sd.tensors(), Map.of());
        return new Path[] {config, checkpoint};
    }

    private static void assertUserError(CliTest.Run r, Path output, String mention) {
        assertEquals(Main.USER_ERROR, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(mention), "message should mention '" + mention + "': " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        if (output != null) {
            assertFalse(Files.exists(output), "no output file may be left behind");
        }
    }

    @Test
    void animateSelectsFommFromTheConfigurationAndMatchesTheApi() throws IOException {
        Path[] m = smallModel();
        Path out = tmp.resolve("out.safetensors");
        CliTest.Run r = CliTest.run("animate", "--source", sample.toString(), "--driving", driving.toString(), "--out",
                out.toString(), "--config", m[0].toString(), "--checkpoint", m[1].toString(), "--relative",
                "--adapt-scale", "--frames", "3", "--batch", "2", "--backend", "cpu");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("First Order Motion Model") && r.out().contains("movement scale"), r.out());
        Tensor result = Safetensors.read(out).require("video_prediction");
        assertArrayEquals(new int[] {1, 3, 3, 64, 64}, result.shape());

        // the same animation through the API, one frame at a time
        Tensor src = MediaReader.readImage(sample, 64, 64).firstFrame().reshape(1, 3, 64, 64);
        Video drv = MediaReader.readVideo(driving, 64, 64);
        assertEquals(3, drv.frameCount());
        FommConfig cfg = FommConfig.resolve(m[0].toString());
        try (FommModel model = FommModel.create(cfg, io.motionkernels.checkpoint.Checkpoints.load(m[1]), Backend.CPU)) {
            FommModel.Transfer t = model.transfer(src, new FommConfig.Normalization(true, true, true));
            Tensor expected = Tensor.zeros(1, 3, 3, 64, 64);
            for (int f = 0; f < 3; f++) {
                Frames.copyInto(t.next(Frames.slice(drv.frames(), f, 1)), expected, f);
            }
            assertTrue(Comparison.relativeL2(result, expected) < 1e-6, "the command line and the API differ");
        }
        Path gif = tmp.resolve("out.gif");
        CliTest.Run g = CliTest.run("animate", "--source", sample.toString(), "--driving", driving.toString(), "--out",
                gif.toString(), "--config", m[0].toString(), "--checkpoint", m[1].toString(), "--absolute",
                "--frames", "2");
        assertEquals(0, g.code(), g.toString());
        assertTrue(Files.size(gif) > 0);
    }

    @Test
    void mistakesGetOneClearLine() throws IOException {
        Path[] m = smallModel();
        Path out = tmp.resolve("x.gif");
        String[] base = {"animate", "--source", sample.toString(), "--driving", driving.toString(), "--out",
                out.toString(), "--frames", "1"};
        assertUserError(CliTest.run(concat(base, "--adapt-scale")), out, "--adapt-scale");
        assertUserError(CliTest.run(concat(base, "--config", "vox-256")), out, "--checkpoint");
        assertUserError(CliTest.run(concat(base, "--config", m[0].toString(), "--checkpoint", m[1].toString(),
                "--size", "60")), out, "60x60");
        // a FOMM checkpoint names no configuration: the message says which family and which names
        assertUserError(CliTest.run(concat(base, "--checkpoint", m[1].toString())), out,
                "is a First Order Motion Model checkpoint");
        assertUserError(CliTest.run(concat(base, "--checkpoint", m[1].toString())), out, "vox-256");
        // a mistyped name lists the published names of both families
        assertUserError(CliTest.run(concat(base, "--config", "vox256")), out, "First Order Motion Model: vox-256");
        assertUserError(CliTest.run(concat(base, "--config", "vox256")), out, "Monkey-Net: shapes");
        // a checkpoint of another configuration: its parameters do not fit vox-256
        assertUserError(CliTest.run(concat(base, "--config", "vox-256", "--checkpoint", m[1].toString(), "--size", "64")),
                out, "");
    }

    @Test
    void verifyRunsFommCases() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cases"));
        for (String name : new String[] {"antialias_0.25_odd_size.safetensors", "antialias_1.safetensors",
                "kp_detector.safetensors"}) {
            Files.copy(TestFiles.fommGolden().resolve(name), dir.resolve(name));
        }
        CliTest.Run r = CliTest.run("verify", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("3 passed, 0 failed"), r.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
