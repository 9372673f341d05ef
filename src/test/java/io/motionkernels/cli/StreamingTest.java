package io.motionkernels.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.media.TestVideos;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code animate} in its own JVM: a minute of 1080p streams through a 512 MB heap (it would need
 * about 15 GB as decoded floats), and without FFmpeg's jars images and GIFs still work while video
 * says what it needs.
 */
class StreamingTest {
    @TempDir
    Path tmp;

    /** The test class path as a list of entries (surefire's real one, not its manifest-only jar). */
    private static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ArrayList<>(Arrays.asList(cp.split(File.pathSeparator)));
    }

    private record Result(int code, String output) {
    }

    private static Result java(List<String> classPath, String heap, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "--add-modules", "jdk.incubator.vector", "-cp", String.join(File.pathSeparator, classPath),
                "io.motionkernels.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "finished");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void aMinuteOf1080pStreamsThroughA512MegabyteHeap() throws Exception {
        // 60 s at 10 fps: 600 frames of 1920x1080, 3.7 GB as 8-bit RGB, 15 GB as the model's floats.
        long t = System.nanoTime();
        Path video = TestVideos.movingSquareMp4(tmp.resolve("long.mp4"), 1920, 1080, 10, 600);
        System.out.printf("made the 1080p video in %.1f s%n", (System.nanoTime() - t) / 1e9);
        Path out = tmp.resolve("out.mp4");
        Result r = java(classPath(), "512m", "animate", "--source", "samples/shapes/00000001.png", "--driving",
                video.toString(), "--out", out.toString(), "--size", "32", "--batch", "4");
        assertEquals(0, r.code(), r.output());
        System.out.println(r.output().lines().filter(l -> l.startsWith("animated")).findFirst().orElse(""));
        assertTrue(r.output().contains("animated 600 frames"), r.output());
        TestVideos.Probe p = TestVideos.probe(out);
        assertEquals(600, p.videoPackets());
        assertEquals(10.0, p.fps(), 1e-9);
    }

    @Test
    void withoutFfmpegImagesWorkAndVideoSaysWhatItNeeds() throws Exception {
        List<String> cp = classPath().stream().filter(e -> !e.contains("ffmpeg")).collect(Collectors.toList());
        Path gif = tmp.resolve("out.gif");
        Result ok = java(cp, "512m", "animate", "--source", "samples/shapes/00000001.png", "--driving",
                "samples/shapes/00000005.png", "--out", gif.toString(), "--frames", "2");
        assertEquals(0, ok.code(), ok.output());
        assertTrue(Files.size(gif) > 0);
        Path mp4 = tmp.resolve("out.mp4");
        Result no = java(cp, "512m", "animate", "--source", "samples/shapes/00000001.png", "--driving",
                "samples/shapes/00000005.png", "--out", mp4.toString());
        assertEquals(Main.USER_ERROR, no.code(), no.output());
        assertTrue(no.output().contains("error: Writing " + mp4 + " (mp4 video) needs FFmpeg"), no.output());
        assertTrue(no.output().contains("org.bytedeco:ffmpeg"), no.output());
        Path clip = Files.write(tmp.resolve("clip.webm"), new byte[] {0x1a, 0x45, (byte) 0xdf, (byte) 0xa3, 0, 0});
        Result in = java(cp, "512m", "animate", "--source", "samples/shapes/00000001.png", "--driving",
                clip.toString(), "--out", gif.toString());
        assertEquals(Main.USER_ERROR, in.code(), in.output());
        assertTrue(in.output().contains("needs FFmpeg"), in.output());
        assertTrue(in.output().lines().noneMatch(l -> l.startsWith("\tat ")), in.output());
    }
}
