package io.motionkernels.media;

import static io.motionkernels.media.TestImages.fill;
import static io.motionkernels.media.TestImages.rgbAt;
import static io.motionkernels.media.TestImages.solid;
import static io.motionkernels.media.TestImages.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.TestFiles;
import io.motionkernels.media.MediaReader.Layout;
import io.motionkernels.media.TestImages.GifFrame;
import io.motionkernels.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaReaderTest {
    private static final int RED = 0xff0000;
    private static final int BLUE = 0x0000ff;
    private static final int GREEN = 0x00ff00;

    @TempDir
    Path dir;

    static Path samples() {
        return TestFiles.samples();
    }

    @Test
    void readsTheSampleStrips() {
        for (String name : List.of("00000001.png", "00000005.png", "00000010.png", "00000013.png")) {
            Video v = MediaReader.read(samples().resolve(name), 64, 64, Layout.STRIP);
            assertEquals(32, v.frameCount(), name);
            assertEquals(64, v.height());
            assertEquals(64, v.width());
            assertTrue(Double.isNaN(v.fps()));
            assertTrue(v.frames().hasShape(1, 3, 32, 64, 64));
            // One coloured shape on black that moves: black corners, something lit, frames differ.
            assertEquals(0, rgbAt(v, 0, 0, 0), name);
            float max = 0;
            for (float x : v.frames().data()) {
                assertTrue(x >= 0f && x <= 1f);
                max = Math.max(max, x);
            }
            assertTrue(max > 0.2f, name);
            assertFalse(java.util.Arrays.equals(v.frame(0).data(), v.frame(31).data()), name);
        }
    }

    @Test
    void sourceReadingDoesNotSplitButCanTakeTheFirstStripFrame() {
        Path strip = samples().resolve("00000001.png");
        Video whole = MediaReader.readImage(strip, 16, 64);
        assertEquals(1, whole.frameCount());
        Video first = MediaReader.readImage(strip, 64, 64, Layout.STRIP);
        assertArrayEquals(MediaReader.read(strip, 64, 64, Layout.STRIP).firstFrame().data(), first.frames().data(), 0f);
        assertTrue(first.firstFrame().hasShape(1, 3, 1, 64, 64));
        assertEquals(1, MediaReader.read(strip, 64, 64, Layout.SINGLE_IMAGE).frameCount());
    }

    /** A JPEG of a 64x32 picture with a red 8x8 mark top left, tagged with EXIF orientation {@code o}. */
    private Path taggedJpeg(String name, int o) throws Exception {
        BufferedImage img = solid(64, 32, 0x202020);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, RED);
            }
        }
        byte[] jpg = Files.readAllBytes(write(img, "jpeg", dir.resolve(name + ".plain.jpg")));
        // APP1 "Exif": big-endian TIFF header, IFD0 with one entry (0x0112 orientation, SHORT, 1, o).
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) o, 0, 0, 0, 0, 0, 0};
        byte[] exif = new byte[6 + tiff.length];
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, exif, 0, 6);
        System.arraycopy(tiff, 0, exif, 6, tiff.length);
        int len = exif.length + 2;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(jpg, 0, 2);
        out.write(new byte[] {(byte) 0xff, (byte) 0xe1, (byte) (len >> 8), (byte) len});
        out.write(exif);
        out.write(jpg, 2, jpg.length - 2);
        return Files.write(dir.resolve(name + ".jpg"), out.toByteArray());
    }

    @Test
    void exifOrientationTurnsPhotosUpright() throws Exception {
        // 6: shown turned a quarter clockwise, so upright it is 32x64 with the mark top right.
        Video v = MediaReader.read(taggedJpeg("six", 6), MediaReader.Options.of(64, 32).withFit(Fit.STRETCH));
        assertTrue(v.firstFrame().get(0, 0, 0, 3, 28) > 0.8f);
        assertTrue(v.firstFrame().get(0, 0, 0, 3, 3) < 0.3f);
        // 8: a quarter counter-clockwise: the mark bottom left.
        Video e = MediaReader.read(taggedJpeg("eight", 8), MediaReader.Options.of(64, 32).withFit(Fit.STRETCH));
        assertTrue(e.firstFrame().get(0, 0, 0, 60, 3) > 0.8f);
        // 3: half a turn: bottom right, same size; 2: mirrored: top right.
        Video t = MediaReader.read(taggedJpeg("three", 3), MediaReader.Options.of(32, 64).withFit(Fit.STRETCH));
        assertTrue(t.firstFrame().get(0, 0, 0, 28, 60) > 0.8f);
        Video m = MediaReader.read(taggedJpeg("two", 2), MediaReader.Options.of(32, 64).withFit(Fit.STRETCH));
        assertTrue(m.firstFrame().get(0, 0, 0, 3, 60) > 0.8f);
        Video one = MediaReader.read(taggedJpeg("one", 1), MediaReader.Options.of(32, 64).withFit(Fit.STRETCH));
        assertTrue(one.firstFrame().get(0, 0, 0, 3, 3) > 0.8f);
    }

    @Test
    void wideImagesAreNeverGuessedToBeStrips() throws Exception {
        // 512x256 and 600x300 used to become 2-frame videos; now only STRIP or our own marker split them.
        for (int w : new int[] {512, 600}) {
            Path p = write(solid(w, w / 2, RED), "png", dir.resolve("wide" + w + ".png"));
            assertEquals(1, MediaReader.read(p, 8, 8).frameCount());
            Path j = write(solid(w, w / 2, RED), "jpeg", dir.resolve("wide" + w + ".jpg"));
            assertEquals(1, MediaReader.read(j, 8, 8).frameCount());
        }
    }

    @Test
    void stripsWrittenByThisToolAreRecognisedByTheirMarker() {
        float[] data = new float[3 * 3 * 4 * 4];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 7) / 7f;
        }
        Path out = dir.resolve("ours.png");
        MediaWriter.write(out, Tensor.of(data, 1, 3, 3, 4, 4), 10);
        Video back = MediaReader.read(out, 4, 4);
        assertEquals(3, back.frameCount());
        assertEquals(1, MediaReader.read(out, 4, 4, Layout.SINGLE_IMAGE).frameCount());
        assertEquals(1, MediaReader.readImage(out, 4, 4, Layout.AUTO).frameCount());
    }

    @Test
    void stripFramesComeOutLeftToRight() throws Exception {
        BufferedImage img = solid(6, 2, RED);
        for (int y = 0; y < 2; y++) {
            for (int x = 2; x < 4; x++) {
                img.setRGB(x, y, GREEN);
            }
            for (int x = 4; x < 6; x++) {
                img.setRGB(x, y, BLUE);
            }
        }
        Video v = MediaReader.read(write(img, "png", dir.resolve("s.png")), 2, 2, Layout.STRIP);
        assertEquals(3, v.frameCount());
        assertEquals(RED, rgbAt(v, 0, 1, 1));
        assertEquals(GREEN, rgbAt(v, 1, 0, 0));
        assertEquals(BLUE, rgbAt(v, 2, 1, 0));
        assertEquals(1, MediaReader.read(dir.resolve("s.png"), 2, 2).frameCount());
    }

    @Test
    void stillIsResizedToTheModelSize() throws Exception {
        BufferedImage img = solid(4, 4, 0);
        img.setRGB(0, 0, 0xffffff);
        img.setRGB(1, 0, 0xffffff);
        Video v = MediaReader.read(write(img, "png", dir.resolve("a.png")), 2, 2);
        assertEquals(1, v.frameCount());
        Tensor f = v.firstFrame();
        assertEquals(0.5f, f.get(0, 0, 0, 0, 0), 1e-6f);
        assertEquals(0f, f.get(0, 1, 0, 1, 1), 1e-6f);
        Video big = MediaReader.read(write(solid(1, 1, 0x336699), "png", dir.resolve("one.png")), 3, 3);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(0x336699, rgbAt(big, 0, x, y));
            }
        }
    }

    @Test
    void readsJpeg() throws Exception {
        Path jpg = write(solid(16, 16, 0x4080c0), "jpeg", dir.resolve("photo.jpg"));
        Video v = MediaReader.read(jpg, 8, 8);
        assertEquals(1, v.frameCount());
        float[] expected = {0x40 / 255f, 0x80 / 255f, 0xc0 / 255f};
        for (int c = 0; c < 3; c++) {
            assertEquals(expected[c], v.frames().get(0, c, 0, 4, 4), 4 / 255f);
        }
    }

    @Test
    void greyIsExpandedWithoutGammaChange() throws Exception {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);
        grey.getRaster().setSample(1, 0, 0, 64);
        Video v = MediaReader.readImage(write(grey, "png", dir.resolve("g.png")), 1, 2);
        assertEquals(0x808080, rgbAt(v, 0, 0, 0));
        assertEquals(0x404040, rgbAt(v, 0, 1, 0));

        BufferedImage deep = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setSample(0, 0, 0, 0x8080);
        Video d = MediaReader.read(write(deep, "png", dir.resolve("g16.png")), 1, 1);
        assertEquals(0x808080, rgbAt(d, 0, 0, 0));
    }

    @Test
    void alphaIsCompositedOnBlack() throws Exception {
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0xffc86432);
        img.setRGB(1, 0, 0x80c86432);
        img.setRGB(2, 0, 0x00ffffff);
        Video v = MediaReader.readImage(write(img, "png", dir.resolve("alpha.png")), 1, 3);
        assertEquals(0xc86432, rgbAt(v, 0, 0, 0));
        float a = 0x80 / 255f;
        assertEquals(0xc8 / 255f * a, v.frames().get(0, 0, 0, 0, 1), 1e-6f);
        assertEquals(0x32 / 255f * a, v.frames().get(0, 2, 0, 0, 1), 1e-6f);
        assertEquals(0, rgbAt(v, 0, 2, 0));
    }

    @Test
    void folderFramesInNaturalOrder() throws Exception {
        Path frames = Files.createDirectory(dir.resolve("frames"));
        write(solid(4, 4, BLUE), "png", frames.resolve("frame10.png"));
        write(solid(4, 4, RED), "png", frames.resolve("frame1.png"));
        write(solid(4, 4, GREEN), "png", frames.resolve("frame2.PNG"));
        write(solid(4, 4, 0xffffff), "jpeg", frames.resolve("frame11.jpg"));
        Files.writeString(frames.resolve("notes.txt"), "not a frame");
        write(solid(4, 4, 0x123456), "png", frames.resolve(".hidden.png"));
        Files.createDirectory(frames.resolve("sub.png"));
        Video v = MediaReader.read(frames, 4, 4);
        assertEquals(4, v.frameCount());
        assertTrue(Double.isNaN(v.fps()));
        assertEquals(RED, rgbAt(v, 0, 0, 0));
        assertEquals(GREEN, rgbAt(v, 1, 0, 0));
        assertEquals(BLUE, rgbAt(v, 2, 0, 0));
        assertEquals(RED, rgbAt(MediaReader.readImage(frames, 4, 4), 0, 2, 2));
    }

    @Test
    void folderFramesAreNeverSplit() throws Exception {
        Path frames = Files.createDirectory(dir.resolve("wide"));
        write(solid(8, 4, RED), "png", frames.resolve("0.png"));
        assertEquals(1, MediaReader.read(frames, 4, 4).frameCount());
    }

    @Test
    void gifFramesAreCompositedWithOffsetsAndDisposal() throws Exception {
        Path gif = dir.resolve("anim.gif");
        TestImages.writeGif(gif, 4, 4, 0, List.of(
                new GifFrame(0, 0, fill(4, 4, 1), "none", 5),                  // red screen
                new GifFrame(2, 2, fill(2, 2, 2), "restoreToBackgroundColor", 5), // blue square, then cleared
                new GifFrame(0, 0, new int[][] {{3, 0}}, "restoreToPrevious", 5), // green dot, transparent beside
                new GifFrame(3, 0, fill(1, 1, 2), "none", 5)));                // dot gone again, blue at (3, 0)
        Video v = MediaReader.read(gif, 4, 4);
        assertEquals(4, v.frameCount());
        assertEquals(20.0, v.fps(), 1e-9);
        assertEquals(RED, rgbAt(v, 0, 3, 3));
        assertEquals(BLUE, rgbAt(v, 1, 3, 3));
        assertEquals(RED, rgbAt(v, 1, 1, 1));
        assertEquals(GREEN, rgbAt(v, 2, 0, 0));
        assertEquals(RED, rgbAt(v, 2, 1, 0)); // transparent pixel of the dot's frame
        assertEquals(0, rgbAt(v, 2, 3, 3));   // cleared to transparent = black
        assertEquals(RED, rgbAt(v, 3, 0, 0)); // restored to the picture before the dot
        assertEquals(BLUE, rgbAt(v, 3, 3, 0));
        assertEquals(0, rgbAt(v, 3, 2, 2));
        Video first = MediaReader.readImage(gif, 4, 4);
        assertEquals(1, first.frameCount());
        assertEquals(20.0, first.fps(), 1e-9); // from the delays of the frames read
        assertEquals(RED, rgbAt(first, 0, 0, 0));
    }

    @Test
    void gifWithoutDelaysPlaysAtTenFps() throws Exception {
        Path gif = dir.resolve("nodelay.gif");
        TestImages.writeGif(gif, 2, 2, -1, List.of(
                new GifFrame(0, 0, fill(2, 2, 1), "none", 0),
                new GifFrame(0, 0, fill(2, 2, 2), "none", 0)));
        Video v = MediaReader.read(gif, 2, 2);
        assertEquals(2, v.frameCount());
        assertEquals(MediaReader.DEFAULT_GIF_FPS, v.fps());
        Set<Integer> colours = new HashSet<>(List.of(rgbAt(v, 0, 0, 0), rgbAt(v, 1, 1, 1)));
        assertEquals(Set.of(RED, BLUE), colours);
    }
}
