package io.motionkernels.media;

import io.motionkernels.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes the results of {@code animate}. The format follows the output's extension:
 * <ul>
 * <li>{@code .gif}: a looping animated GIF, one picture per frame, delays from the frame rate
 *     ({@value #DEFAULT_FPS} fps when unknown), colours from one shared palette (see
 *     {@link Palette});</li>
 * <li>{@code .png}: the frames side by side in one image (Monkey-Net's strip layout, which
 *     {@link MediaReader} reads back as a video).</li>
 * </ul>
 * Inputs are (1, 3, D, H, W) tensors of RGB values in [0, 1]: values are clamped, NaN becomes 0,
 * and each is rounded to 8 bits. Writes are atomic: the file is written under a temporary name in
 * the output's folder, flushed to disk and renamed over the output, and the temporary file is
 * removed on any failure, so the output is either the complete new file or untouched.
 */
public final class MediaWriter {
    /** The frame rate used when the caller has none (NaN, zero or negative). */
    public static final double DEFAULT_FPS = 10.0;
    /** The output extensions, lower case, with their dot. */
    public static final List<String> SUPPORTED_EXTENSIONS = List.of(".gif", ".png");

    private enum Format { GIF, PNG }

    /** Writes an encoded file into a stream; used to make every format's write atomic. */
    interface Encoder {
        void write(OutputStream out) throws IOException;
    }

    private MediaWriter() {
    }

    /**
     * Checks that {@code out} can be written (supported extension, existing folder, not a folder
     * itself) without writing anything, so a caller can fail before a long computation.
     */
    public static void checkOutputPath(Path out) {
        format(out);
    }

    /** Writes {@code video} (1, 3, D, H, W) to {@code out} as GIF or PNG strip, by extension. */
    public static void write(Path out, Tensor video, double fps) {
        Format format = format(out);
        requireVideo("video", video);
        int d = video.dim(2);
        int h = video.dim(3);
        int w = video.dim(4);
        List<int[]> frames = new ArrayList<>(d);
        for (int f = 0; f < d; f++) {
            frames.add(Pixels.rgb8(video, f));
        }
        if (format == Format.GIF) {
            writeAtomically(out, os -> GifEncoder.write(os, frames, w, h, effectiveFps(fps)));
        } else {
            int[] strip = new int[d * w * h];
            for (int f = 0; f < d; f++) {
                blit(frames.get(f), w, h, strip, d * w, f * w, 0);
            }
            writeAtomically(out, os -> writePng(os, strip, d * w, h));
        }
    }

    /** Writes {@code video} at its own frame rate, {@link #DEFAULT_FPS} when it has none. */
    public static void write(Path out, Video video) {
        write(out, video.frames(), video.fpsOr(DEFAULT_FPS));
    }

    /**
     * Writes source | driving | result side by side: as {@code .gif}, each picture shows the
     * three panels of one frame left to right; as {@code .png}, a grid with one row per panel
     * (source, driving, result) and one column per frame. The source has one frame, repeated.
     */
    public static void writeSideBySide(Path out, Tensor source, Tensor driving, Tensor result, double fps) {
        writePanels(out, fps, List.of(source, driving, result));
    }

    /**
     * Writes any panels side by side as {@link #writeSideBySide} does. Each panel is
     * (1, 3, D, H, W) with the same D as the others or D = 1 (repeated for every frame); panels
     * whose size differs from the last panel's are resized to it.
     */
    public static void writePanels(Path out, double fps, List<Tensor> panels) {
        Format format = format(out);
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no panels to write");
        }
        int frameCount = 1;
        for (int i = 0; i < panels.size(); i++) {
            requireVideo("panel " + i, panels.get(i));
            frameCount = Math.max(frameCount, panels.get(i).dim(2));
        }
        int d = frameCount;
        Tensor last = panels.get(panels.size() - 1);
        int h = last.dim(3);
        int w = last.dim(4);
        List<Tensor> sized = new ArrayList<>();
        for (int i = 0; i < panels.size(); i++) {
            Tensor p = panels.get(i);
            if (p.dim(2) != 1 && p.dim(2) != d) {
                throw new IllegalArgumentException("panel " + i + " has " + p.dim(2) + " frames; panels need "
                        + d + " frames or 1, got shapes " + shapes(panels));
            }
            sized.add(resized(p, h, w));
        }
        int n = sized.size();
        if (format == Format.GIF) {
            List<int[]> frames = new ArrayList<>(d);
            for (int f = 0; f < d; f++) {
                int[] frame = new int[n * w * h];
                for (int i = 0; i < n; i++) {
                    Tensor p = sized.get(i);
                    blit(Pixels.rgb8(p, p.dim(2) == 1 ? 0 : f), w, h, frame, n * w, i * w, 0);
                }
                frames.add(frame);
            }
            writeAtomically(out, os -> GifEncoder.write(os, frames, n * w, h, effectiveFps(fps)));
        } else {
            int[] grid = new int[d * w * n * h];
            for (int i = 0; i < n; i++) {
                Tensor p = sized.get(i);
                for (int f = 0; f < d; f++) {
                    blit(Pixels.rgb8(p, p.dim(2) == 1 ? 0 : f), w, h, grid, d * w, f * w, i * h);
                }
            }
            writeAtomically(out, os -> writePng(os, grid, d * w, n * h));
        }
    }

    private static double effectiveFps(double fps) {
        return fps > 0 && fps < Double.POSITIVE_INFINITY ? fps : DEFAULT_FPS;
    }

    private static Format format(Path out) {
        Path name = out.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        Format format;
        if (lower.endsWith(".gif")) {
            format = Format.GIF;
        } else if (lower.endsWith(".png")) {
            format = Format.PNG;
        } else {
            throw new MediaException("Output " + out + " has an unsupported extension: use one of "
                    + String.join(", ", SUPPORTED_EXTENSIONS) + " (animated GIF, or PNG strip of frames).");
        }
        Path folder = out.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new MediaException("Output folder " + (folder == null ? out : folder)
                    + " does not exist: create it first or choose another output path.");
        }
        if (Files.isDirectory(out)) {
            throw new MediaException("Output " + out + " is a folder: give a file name ending in "
                    + String.join(" or ", SUPPORTED_EXTENSIONS) + ".");
        }
        if (!Files.isWritable(folder)) {
            throw new MediaException("Cannot write into folder " + folder + ": permission denied;"
                    + " choose another output path.");
        }
        return format;
    }

    private static void requireVideo(String what, Tensor t) {
        if (t.rank() != 5 || t.dim(0) != 1 || t.dim(1) != 3 || t.dim(2) < 1 || t.dim(3) < 1 || t.dim(4) < 1) {
            throw new IllegalArgumentException(what + " must have shape (1, 3, D, H, W), got " + t.shapeString());
        }
    }

    private static String shapes(List<Tensor> panels) {
        List<String> s = new ArrayList<>();
        for (Tensor t : panels) {
            s.add(t.shapeString());
        }
        return String.join(", ", s);
    }

    private static Tensor resized(Tensor t, int h, int w) {
        int d = t.dim(2);
        int th = t.dim(3);
        int tw = t.dim(4);
        if (th == h && tw == w) {
            return t;
        }
        float[] src = t.data();
        float[] out = new float[3 * d * h * w];
        for (int k = 0; k < 3 * d; k++) {
            float[] plane = new float[th * tw];
            System.arraycopy(src, k * th * tw, plane, 0, plane.length);
            System.arraycopy(ImageResize.resize(plane, th, tw, h, w), 0, out, k * h * w, h * w);
        }
        return Tensor.of(out, 1, 3, d, h, w);
    }

    private static void blit(int[] src, int w, int h, int[] dst, int dstWidth, int x0, int y0) {
        for (int y = 0; y < h; y++) {
            System.arraycopy(src, y * w, dst, (y0 + y) * dstWidth + x0, w);
        }
    }

    private static void writePng(OutputStream os, int[] rgb, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        // A memory cache, not ImageIO's default file cache in java.io.tmpdir.
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(os)) {
            if (!ImageIO.write(image, "png", ios)) {
                throw new IOException("this Java runtime has no PNG writer");
            }
        }
    }

    /**
     * Runs {@code encoder} into a new temporary file beside {@code out}, forces it to disk and
     * renames it to {@code out} (atomically where the file system can, else replacing). On any
     * failure the temporary file is deleted and {@code out} is left as it was.
     */
    static void writeAtomically(Path out, Encoder encoder) {
        Path target = out.toAbsolutePath();
        Path folder = target.getParent();
        Path tmp = null;
        try {
            tmp = createTemp(folder, target.getFileName().toString());
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream os = new BufferedOutputStream(Channels.newOutputStream(channel));
                encoder.write(os);
                os.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (AccessDeniedException e) {
            throw new MediaException("Cannot write " + out + ": permission denied; choose another output path.", e);
        } catch (IOException e) {
            throw new MediaException("Cannot write " + out + ": " + e + "; check the disk space and the path.", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // nothing more can be done; the original failure is what the user needs to see
                }
            }
        }
    }

    /**
     * A new empty hidden file in {@code folder}. Created with the process's normal permissions
     * (unlike {@link Files#createTempFile}, which makes it owner-only and so would the output).
     */
    private static Path createTemp(Path folder, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = folder.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }
}
