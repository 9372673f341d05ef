package io.motionkernels.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.media.MediaReader;
import io.motionkernels.media.TestVideos;
import io.motionkernels.media.Video;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code animate} with media as users have them: photos of any shape, mp4 in and out, refusals. */
class AnimateMediaTest {
    static final Path SOURCE = Path.of("samples/shapes/00000001.png");
    static final Path DRIVING = Path.of("samples/shapes/00000005.png");

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
        long lines(String prefix) {
            return err.lines().filter(l -> l.startsWith(prefix)).count();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private void refused(Run r, Path output, String... mentions) throws IOException {
        assertEquals(Main.USER_ERROR, r.code(), r.toString());
        assertEquals(1, r.lines("error: "), r.err());
        for (String m : mentions) {
            assertTrue(r.err().contains(m), "message should mention '" + m + "': " + r.err());
        }
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        if (output != null && output.getParent() != null) {
            assertFalse(Files.exists(output), "no output may be left behind");
            try (Stream<Path> s = Files.list(output.toAbsolutePath().getParent())) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary files left");
            }
        }
    }

    private Path photo(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 90);
            }
        }
        Path p = tmp.resolve("photo.jpg");
        ImageIO.write(img, "jpeg", p.toFile());
        return p;
    }

    @Test
    void readmeDemoAsWrittenAnimatesWithAbsoluteKeypoints() {
        Path out = tmp.resolve("result.gif");
        Run r = run("animate", "--source", SOURCE.toString(), "--driving", DRIVING.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("animated 32 frames"), r.out());
        assertTrue(r.out().contains("absolute keypoints"), r.out());
        assertTrue(r.out().matches("(?s).*model [0-9.]+ s, reading [0-9.]+ s and writing [0-9.]+ s.*"), r.out());
        // In relative mode the shape left the frame by frame 8 and the rest was black.
        Video v = MediaReader.read(out, 64, 64);
        assertEquals(32, v.frameCount());
        for (int f = 8; f < 32; f++) {
            float max = 0;
            for (float x : v.frame(f).data()) {
                max = Math.max(max, x);
            }
            assertTrue(max > 0.3f, "frame " + f + " shows the shape: max " + max);
        }
    }

    @Test
    void photoWithAnMp4DrivingVideoIntoAnMp4WithItsSound() throws IOException {
        Path photo = photo(451, 300);
        Path wav = TestVideos.wav(tmp.resolve("tone.wav"), 1.0, 44100);
        Path drv = TestVideos.mp4(tmp.resolve("talking.mp4"), 96, 64, 25, 20, wav);
        Path out = tmp.resolve("out.mp4");
        Run r = run("animate", "--source", photo.toString(), "--driving", drv.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(1, r.lines("note: source"), r.err());
        assertTrue(r.err().contains("451x300: its centre 300x300"), r.err());
        assertEquals(1, r.lines("note: driving"), r.err());
        TestVideos.Probe p = TestVideos.probe(out);
        assertEquals("h264", p.videoCodec());
        assertEquals(64, p.width());
        assertEquals(64, p.height());
        assertEquals(20, p.videoPackets());
        assertEquals(25.0, p.fps(), 1e-6);
        assertEquals("aac", p.audioCodec());
        assertEquals(0.8, p.audioSeconds(), 0.05);

        Path quiet = tmp.resolve("quiet.mp4");
        Run q = run("animate", "--source", photo.toString(), "--driving", drv.toString(), "--out", quiet.toString(),
                "--no-audio", "--view", "side-by-side", "--fit", "pad", "--frames", "5");
        assertEquals(0, q.code(), q.toString());
        assertTrue(q.err().contains("black borders"), q.err());
        TestVideos.Probe pq = TestVideos.probe(quiet);
        assertNull(pq.audioCodec());
        assertEquals(192, pq.width());
        assertEquals(5, pq.videoPackets());
    }

    @Test
    void gifFromAFastVideoIsClampedWithANoteAndFastFpsIsRefused() throws IOException {
        Path drv = TestVideos.mp4(tmp.resolve("fast.mp4"), 64, 64, 60, 6, null);
        Path out = tmp.resolve("fast.gif");
        Run r = run("animate", "--source", SOURCE.toString(), "--driving", drv.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("written at 50 fps instead of 60"), r.err());
        assertEquals(50.0, MediaReader.read(out, 64, 64).fps(), 1e-9);
        Path out2 = tmp.resolve("thousand.gif");
        refused(run("animate", "--source", SOURCE.toString(), "--driving", DRIVING.toString(), "--out", out2.toString(),
                "--fps", "1000"), out2, "--fps", "50", ".mp4");
    }

    @Test
    void refusals() throws IOException {
        Path out = tmp.resolve("x.gif");
        Path copy = Files.copy(SOURCE, tmp.resolve("src.png"));
        refused(run("animate", "--source", copy.toString(), "--driving", DRIVING.toString(), "--out", copy.toString()),
                null, "also an input");
        assertTrue(Files.size(copy) > 0);
        refused(run("animate", "--source", SOURCE.toString(), "--driving", DRIVING.toString(), "--out", "/"), null,
                "is a folder");
        refused(run("animate", "--source", SOURCE.toString(), "--driving", DRIVING.toString(), "--out", out.toString(),
                "--size", "65"), out, "multiple of 32", "64 or 96");
        Run big = run("animate", "--source", SOURCE.toString(), "--driving", DRIVING.toString(), "--out",
                out.toString(), "--size", "65536");
        refused(big, out, "--size 65536", "2048");
        assertFalse(big.err().contains(SOURCE.toString()), "the valid input is not blamed: " + big.err());
        Path junk = Files.write(tmp.resolve("clip.mp4"), "this is not a video at all".repeat(50).getBytes());
        refused(run("animate", "--source", SOURCE.toString(), "--driving", junk.toString(), "--out", out.toString()),
                out, "clip.mp4", "FFmpeg");
        refused(run("animate", "--source", SOURCE.toString(), "--driving", DRIVING.toString(), "--out", out.toString(),
                "--fit", "zoom"), out, "--fit");
    }

    @Test
    void hugeStripIsRefusedBeforeAnyWorkForHeldOutputs() throws IOException {
        BufferedImage line = new BufferedImage(200_000, 1, BufferedImage.TYPE_INT_RGB);
        Path p = tmp.resolve("line.png");
        ImageIO.write(line, "png", p.toFile());
        Path out = tmp.resolve("strip.gif");
        long t = System.nanoTime();
        refused(run("animate", "--source", SOURCE.toString(), "--driving", p.toString(), "--driving-layout", "strip",
                "--out", out.toString()), out, "200000 frames", "--frames", ".mp4");
        assertTrue((System.nanoTime() - t) / 1e9 < 5, "refused before the work");
    }

    @Test
    void verifyWithNoCasesFails() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Run r = run("verify", empty.toString());
        assertEquals(Main.USER_ERROR, r.code(), r.toString());
        assertTrue(r.err().startsWith("error: "), r.err());
    }
}
