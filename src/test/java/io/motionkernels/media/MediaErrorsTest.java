package io.motionkernels.media;

import static io.motionkernels.media.TestImages.solid;
import static io.motionkernels.media.TestImages.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class MediaErrorsTest {
    @TempDir
    Path dir;

    private static MediaException fails(Executable e, String... fragments) {
        MediaException ex = assertThrows(MediaException.class, e);
        assertTrue(ex instanceof MotionKernelsException);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message lacks '" + f + "': " + ex.getMessage());
        }
        return ex;
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.png");
        fails(() -> MediaReader.read(p, 8, 8), p.toString(), "does not exist");
        fails(() -> MediaReader.readImage(p, 8, 8), p.toString(), "does not exist");
    }

    @Test
    void unreadableFile() throws Exception {
        Path p = write(solid(4, 4, 0), "png", dir.resolve("secret.png"));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(p), "running as a user who can read anything (root)");
        fails(() -> MediaReader.read(p, 8, 8), p.toString(), "permission denied");
    }

    @Test
    void textFileIsNotAnImage() throws Exception {
        Path p = Files.writeString(dir.resolve("notes.png"), "hello, I am not a picture\n");
        fails(() -> MediaReader.read(p, 8, 8), p.toString(), "not a PNG, JPEG or GIF");
        Path empty = Files.createFile(dir.resolve("empty.jpg"));
        fails(() -> MediaReader.read(empty, 8, 8), empty.toString(), "empty");
    }

    @Test
    void truncatedPng() throws Exception {
        BufferedImage noise = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Random rng = new Random(1);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                noise.setRGB(x, y, rng.nextInt());
            }
        }
        Path full = write(noise, "png", dir.resolve("full.png"));
        byte[] bytes = Files.readAllBytes(full);
        Path cut = Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        fails(() -> MediaReader.read(cut, 8, 8), cut.toString(), "truncated");
    }

    @Test
    void gifWithoutFrames() throws Exception {
        // Header, a 4x4 logical screen without colour table, and the trailer: no image at all.
        byte[] gif = {'G', 'I', 'F', '8', '9', 'a', 4, 0, 4, 0, 0, 0, 0, 0x3B};
        Path p = Files.write(dir.resolve("none.gif"), gif);
        fails(() -> MediaReader.read(p, 8, 8), p.toString(), "no frames");
    }

    @Test
    void emptyFolder() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("frames"));
        Files.writeString(folder.resolve("readme.txt"), "no frames here");
        fails(() -> MediaReader.read(folder, 8, 8), folder.toString(), "no frames", ".png");
    }

    @Test
    void folderWithABadFrameNamesIt() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("frames"));
        write(solid(4, 4, 0), "png", folder.resolve("1.png"));
        Path bad = Files.writeString(folder.resolve("2.png"), "oops");
        fails(() -> MediaReader.read(folder, 8, 8), bad.toString());
    }

    @Test
    void forcedStripOfTheWrongShape() throws Exception {
        Path p = write(solid(10, 4, 0), "png", dir.resolve("wide.png"));
        fails(() -> MediaReader.read(p, 4, 4, MediaReader.Layout.STRIP), p.toString(), "multiple");
        assertEquals(1, MediaReader.read(p, 4, 4).frameCount());
    }

    @Test
    void outputFolderMissing() {
        Path out = dir.resolve("no-such-folder").resolve("out.gif");
        Tensor t = Tensor.zeros(1, 3, 2, 4, 4);
        fails(() -> MediaWriter.write(out, t, 10), "no-such-folder", "does not exist");
        fails(() -> MediaWriter.checkOutputPath(out), "does not exist");
        assertFalse(Files.exists(out.getParent()));
    }

    @Test
    void unsupportedOutputExtension() throws Exception {
        Tensor t = Tensor.zeros(1, 3, 2, 4, 4);
        for (String name : List.of("out.mov", "out.jpg", "out", "out.gif.txt")) {
            Path out = dir.resolve(name);
            fails(() -> MediaWriter.write(out, t, 10), name, ".gif", ".png", ".mp4", ".safetensors");
        }
        assertEquals(List.of(), listing());
    }

    @Test
    void outputThatIsAFolder() throws Exception {
        Path out = Files.createDirectory(dir.resolve("looks-like.gif"));
        fails(() -> MediaWriter.write(out, Tensor.zeros(1, 3, 1, 2, 2), 10), out.toString(), "is a folder");
    }

    @Test
    void failingWriteLeavesNoOutput() throws Exception {
        Path out = dir.resolve("result.gif");
        MediaException ex = fails(() -> MediaWriter.writeAtomically(out, os -> {
            os.write(new byte[10_000]);
            throw new IOException("disk full");
        }), out.toString(), "disk full");
        assertTrue(ex.getCause() instanceof IOException);
        assertEquals(List.of(), listing());

        assertThrows(IllegalStateException.class, () -> MediaWriter.writeAtomically(out, os -> {
            os.write(1);
            throw new IllegalStateException("bug");
        }));
        assertEquals(List.of(), listing());
    }

    @Test
    void failingWriteKeepsThePreviousOutput() throws Exception {
        Path out = dir.resolve("result.png");
        MediaWriter.write(out, Tensor.filled(0.5f, 1, 3, 1, 3, 3), 10);
        byte[] before = Files.readAllBytes(out);
        fails(() -> MediaWriter.writeAtomically(out, os -> {
            os.write(new byte[100]);
            throw new IOException("disk full");
        }));
        assertArrayEquals(before, Files.readAllBytes(out));
        assertEquals(List.of(out), listing());
    }

    @Test
    void badArgumentsAreProgrammingErrors() {
        Path out = dir.resolve("x.gif");
        assertThrows(IllegalArgumentException.class, () -> MediaWriter.write(out, Tensor.zeros(3, 4, 4), 10));
        assertThrows(IllegalArgumentException.class, () -> MediaWriter.write(out, Tensor.zeros(1, 1, 1, 4, 4), 10));
        assertThrows(IllegalArgumentException.class, () -> MediaReader.read(out, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> MediaWriter.writePanels(out, 10,
                List.of(Tensor.zeros(1, 3, 2, 4, 4), Tensor.zeros(1, 3, 3, 4, 4))));
    }
}
