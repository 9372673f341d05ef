package io.motionkernels.media;

import static io.motionkernels.media.TestImages.rgbAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaWriterTest {
    @TempDir
    Path dir;

    /** Frames of flat colour blocks: few distinct colours, each an exact 8-bit value. */
    private static Tensor blocks(int d, int h, int w) {
        Tensor t = Tensor.zeros(1, 3, d, h, w);
        for (int f = 0; f < d; f++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean inside = x >= f && x < f + 3 && y >= 1 && y < 4;
                    t.set(inside ? 200 / 255f : 10 / 255f, 0, 0, f, y, x);
                    t.set(inside ? 40 / 255f : 90 / 255f, 0, 1, f, y, x);
                    t.set((17 * f) / 255f, 0, 2, f, y, x);
                }
            }
        }
        return t;
    }

    /** A smooth radial shading, photo-like, with many more than 256 colours; moves per frame. */
    private static Tensor gradient(int d, int h, int w) {
        Tensor t = Tensor.zeros(1, 3, d, h, w);
        for (int f = 0; f < d; f++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double r = Math.hypot(x - w / 2.0 - 2 * f, y - h / 2.0) / 40;
                    t.set((float) (0.85 - 0.35 * r), 0, 0, f, y, x);
                    t.set((float) (0.6 - 0.3 * r + 0.02 * f), 0, 1, f, y, x);
                    t.set((float) (0.45 - 0.25 * r), 0, 2, f, y, x);
                }
            }
        }
        return t;
    }

    private static void assertClose(Tensor expected, Tensor actual, float tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.data();
        float[] a = actual.data();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol, "element " + i);
        }
    }

    @Test
    void gifRoundTripIsExactForFewColours() {
        Tensor frames = blocks(4, 6, 8);
        Path out = dir.resolve("anim.gif");
        MediaWriter.write(out, frames, 25);
        Video v = MediaReader.read(out, 6, 8);
        assertEquals(4, v.frameCount());
        assertEquals(25.0, v.fps(), 1e-9);
        assertClose(frames, v.frames(), 0.5f / 255);
    }

    @Test
    void gifRoundTripKeepsSmoothImagesClose() {
        Tensor frames = gradient(3, 48, 64);
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int f = 0; f < 3; f++) {
            for (int p : Pixels.rgb8(frames, f)) {
                colours.add(p);
            }
        }
        assertTrue(colours.size() > Palette.MAX_COLOURS, colours.size() + " colours"); // needs the median cut
        Path out = dir.resolve("smooth.gif");
        MediaWriter.write(out, frames, 30);
        Video v = MediaReader.read(out, 48, 64);
        assertEquals(3, v.frameCount());
        assertEquals(30.0, v.fps(), 1e-9); // delays 3, 4, 3 hundredths
        float[] e = frames.data();
        float[] a = v.frames().data();
        double sum = 0;
        double max = 0;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(Math.min(Math.max(e[i], 0f), 1f) - a[i]);
            sum += err;
            max = Math.max(max, err);
        }
        double mean = sum / e.length;
        assertTrue(mean < 0.01, "mean error " + mean);
        assertTrue(max < 0.05, "max error " + max);
    }

    @Test
    void gifLoopsForeverAndDefaultsToTenFps() throws Exception {
        Path out = dir.resolve("loop.gif");
        MediaWriter.write(out, blocks(2, 5, 5), Double.NaN);
        assertEquals(MediaWriter.DEFAULT_FPS, MediaReader.read(out, 5, 5).fps(), 1e-9);
        try (ImageInputStream in = ImageIO.createImageInputStream(out.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree(GifFrames.IMAGE_FORMAT);
            IIOMetadataNode app = (IIOMetadataNode) root.getElementsByTagName("ApplicationExtension").item(0);
            assertEquals("NETSCAPE", app.getAttribute("applicationID"));
            assertArrayEquals(new byte[] {1, 0, 0}, (byte[]) app.getUserObject());
            reader.dispose();
        }
    }

    @Test
    void delaysKeepTheAverageRate() {
        assertArrayEquals(new int[] {3, 4, 3, 3, 4, 3}, GifEncoder.delays(6, 30));
        assertArrayEquals(new int[] {10, 10}, GifEncoder.delays(2, 10));
        assertArrayEquals(new int[] {1, 1, 1}, GifEncoder.delays(3, 1000));
    }

    @Test
    void pngStripRoundTrip() throws Exception {
        Tensor frames = blocks(5, 6, 6);
        Path out = dir.resolve("strip.PNG");
        MediaWriter.write(out, frames, 12);
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(30, img.getWidth());
        assertEquals(6, img.getHeight());
        Video v = MediaReader.read(out, 6, 6);
        assertEquals(5, v.frameCount());
        assertClose(frames, v.frames(), 0.5f / 255);
    }

    @Test
    void valuesAreClampedAndRounded() throws Exception {
        Tensor t = Tensor.of(new float[] {-0.5f, 2f, Float.NaN, 0.5f, 1f, 0f}, 1, 3, 1, 1, 2);
        Path out = dir.resolve("clamp.png");
        MediaWriter.write(out, t, 10);
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(0x00 << 16 | 0x00 << 8 | 0xff, img.getRGB(0, 0) & 0xffffff);
        assertEquals(0xff << 16 | 0x80 << 8 | 0x00, img.getRGB(1, 0) & 0xffffff);
    }

    @Test
    void sideBySideGifAndPngGrid() throws Exception {
        int h = 4;
        int w = 5;
        Tensor source = Tensor.filled(1f, 1, 3, 1, h, w); // white
        Tensor driving = blocks(3, h, w);
        Tensor result = Tensor.zeros(1, 3, 3, h, w); // black
        Path gif = dir.resolve("view.gif");
        MediaWriter.writeSideBySide(gif, source, driving, result, 20);
        Video v = MediaReader.read(gif, h, 3 * w);
        assertEquals(3, v.frameCount());
        assertEquals(20.0, v.fps(), 1e-9);
        for (int f = 0; f < 3; f++) {
            assertEquals(0xffffff, rgbAt(v, f, 1, 1));
            assertEquals(Math.round(driving.get(0, 0, f, 2, 2) * 255), rgbAt(v, f, w + 2, 2) >> 16);
            assertEquals(0, rgbAt(v, f, 2 * w + 3, 3));
        }

        Path png = dir.resolve("view.png");
        MediaWriter.writeSideBySide(png, source, driving, result, 8);
        BufferedImage grid = ImageIO.read(png.toFile());
        assertEquals(3 * w, grid.getWidth());  // one column per frame
        assertEquals(3 * h, grid.getHeight()); // one row per panel
        for (int f = 0; f < 3; f++) {
            assertEquals(0xffffff, grid.getRGB(f * w + 1, 1) & 0xffffff);
            assertEquals(Math.round(driving.get(0, 1, f, 2, 3) * 255), (grid.getRGB(f * w + 3, h + 2) >> 8) & 0xff);
            assertEquals(0, grid.getRGB(f * w + 4, 2 * h + 3) & 0xffffff);
        }
    }

    @Test
    void sideBySideResizesPanelsToTheResult() {
        Path gif = dir.resolve("mixed.gif");
        MediaWriter.writePanels(gif, 10, List.of(Tensor.filled(0.5f, 1, 3, 1, 8, 8), Tensor.zeros(1, 3, 2, 4, 4)));
        Video v = MediaReader.read(gif, 4, 8);
        assertEquals(2, v.frameCount());
        assertEquals(0x808080, rgbAt(v, 1, 0, 0));
    }

    @Test
    void overwritesAtomicallyWithoutLeftovers() throws Exception {
        Path out = dir.resolve("again.gif");
        MediaWriter.write(out, blocks(2, 5, 5), 10);
        MediaWriter.write(out, blocks(3, 5, 5), 10);
        assertEquals(3, MediaReader.read(out, 5, 5).frameCount());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList());
        }
        assertFalse(Files.getPosixFilePermissions(out).isEmpty());
    }
}
