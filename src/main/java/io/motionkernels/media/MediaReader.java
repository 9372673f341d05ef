package io.motionkernels.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the inputs of {@code animate}: still images, driving videos and source images, resized to
 * the model's resolution (see {@link ImageResize}) as RGB values in [0, 1] (alpha composited on
 * black, grey expanded to RGB, deeper samples rounded to 8 bits).
 *
 * <p>Accepted inputs, recognised by their contents, not their names:
 * <ul>
 * <li>a PNG or JPEG image: one frame, or, when its width is a whole multiple (at least 2) of its
 *     height, a strip of square frames side by side, which is how Monkey-Net's datasets store
 *     videos (see {@link Layout} to force either reading);</li>
 * <li>an animated GIF: every frame composited as a browser shows it, with the frame rate from the
 *     frame delays ({@value #DEFAULT_GIF_FPS} fps when the file has none);</li>
 * <li>a folder of PNG/JPEG frames (files ending in .png, .jpg or .jpeg; hidden files skipped),
 *     one frame per file, in natural name order (frame2 before frame10).</li>
 * </ul>
 * EXIF orientation in JPEG files is not applied. Problems a user can fix throw
 * {@link MediaException}.
 */
public final class MediaReader {
    /** The frame rate of a GIF whose frames have no delay, as browsers play it. */
    public static final double DEFAULT_GIF_FPS = 10.0;

    private static final List<String> FORMATS = List.of("png", "jpeg", "gif");
    private static final List<String> FRAME_EXTENSIONS = List.of(".png", ".jpg", ".jpeg");
    private static final String ACCEPTED = "give a PNG or JPEG image, a PNG/JPEG strip of square frames"
            + " side by side, an animated GIF, or a folder of PNG/JPEG frames";

    /** How to read a PNG or JPEG image file; GIFs and folders always give their own frames. */
    public enum Layout {
        /** A strip when the width is a whole multiple (at least 2) of the height, else one frame. */
        AUTO,
        /** Always one frame, however wide the image (a source photo). */
        SINGLE_IMAGE,
        /** Square frames side by side; an image whose width is not a multiple of its height is an error. */
        STRIP
    }

    private MediaReader() {
    }

    /** Reads every frame of {@code path} with {@link Layout#AUTO}; same as {@link #readVideo}. */
    public static Video read(Path path, int height, int width) {
        return read(path, height, width, Layout.AUTO);
    }

    /** Reads every frame of {@code path}, reading PNG/JPEG files as {@code layout} says. */
    public static Video read(Path path, int height, int width, Layout layout) {
        return decode(path, height, width, layout, false);
    }

    /** Reads a driving video: all frames, with {@link Layout#AUTO}. */
    public static Video readVideo(Path path, int height, int width) {
        return read(path, height, width, Layout.AUTO);
    }

    /**
     * Reads a source image: one frame, never splitting a wide image into a strip. For a GIF or a
     * folder of frames it is the first frame. {@link Video#firstFrame()} gives it as the
     * (1, 3, 1, H, W) source tensor.
     */
    public static Video readImage(Path path, int height, int width) {
        return readImage(path, height, width, Layout.SINGLE_IMAGE);
    }

    /**
     * Reads the first frame of {@code path}: with {@link Layout#AUTO} or {@link Layout#STRIP} the
     * first frame of a strip, with {@link Layout#SINGLE_IMAGE} the whole image.
     */
    public static Video readImage(Path path, int height, int width, Layout layout) {
        return decode(path, height, width, layout, true);
    }

    /**
     * How many square frames an image of this size holds when read as a strip: its width over its
     * height when that is a whole number of at least 2, else 1 (a single image). This is the
     * {@link Layout#AUTO} rule.
     */
    public static int stripFrameCount(int imageWidth, int imageHeight) {
        if (imageHeight <= 0 || imageWidth % imageHeight != 0) {
            return 1;
        }
        return Math.max(1, imageWidth / imageHeight);
    }

    private static Video decode(Path path, int height, int width, Layout layout, boolean firstOnly) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
        }
        if (layout == null) {
            throw new IllegalArgumentException("layout must not be null");
        }
        if (!Files.exists(path)) {
            throw new MediaException("Input " + path + " does not exist: check the path (" + ACCEPTED + ").");
        }
        Pixels.FrameStack stack = new Pixels.FrameStack(height, width);
        double fps;
        if (Files.isDirectory(path)) {
            readFolder(path, stack, firstOnly);
            fps = Double.NaN;
        } else {
            fps = readFile(path, stack, layout, firstOnly);
            if (stack.size() == 0) {
                throw new MediaException("Input " + path + " contains no frames: " + ACCEPTED + ".");
            }
        }
        return stack.toVideo(fps);
    }

    private static void readFolder(Path folder, Pixels.FrameStack stack, boolean firstOnly) {
        List<Path> files = frameFiles(folder);
        if (files.isEmpty()) {
            throw new MediaException("Folder " + folder + " has no frames: put the video's frames there as"
                    + " PNG or JPEG files (names ending in .png, .jpg or .jpeg), or give a video file.");
        }
        for (Path file : files) {
            readFile(file, stack, Layout.SINGLE_IMAGE, true);
            if (stack.size() == 0) {
                throw new MediaException("Frame " + file + " in folder " + folder
                        + " contains no image: replace or remove it.");
            }
            if (firstOnly) {
                return;
            }
        }
    }

    private static List<Path> frameFiles(Path folder) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                if (!name.startsWith(".") && Files.isRegularFile(p)
                        && FRAME_EXTENSIONS.stream().anyMatch(lower::endsWith)) {
                    files.add(p);
                }
            }
        } catch (AccessDeniedException e) {
            throw new MediaException("Cannot list folder " + folder + ": permission denied; make it readable.", e);
        } catch (IOException e) {
            throw new MediaException("Cannot list folder " + folder + ": " + e.getMessage(), e);
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString(), NaturalOrder.INSTANCE));
        return files;
    }

    /** Decodes one file into {@code stack}; returns its frame rate, NaN when it has none. */
    private static double readFile(Path path, Pixels.FrameStack stack, Layout layout, boolean firstOnly) {
        if (!Files.isReadable(path)) {
            throw new MediaException("Cannot read " + path + ": permission denied; make the file readable.");
        }
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new MediaException("Cannot read " + path + ": " + e.getMessage(), e);
        }
        if (size == 0) {
            throw new MediaException("Input " + path + " is empty (0 bytes), not an image: " + ACCEPTED + ".");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            if (in == null) {
                throw new MediaException("Cannot read " + path + ": it could not be opened.");
            }
            ImageReader reader = findReader(in);
            if (reader == null) {
                throw new MediaException("Input " + path + " is not a PNG, JPEG or GIF image (its contents"
                        + " are not recognised): " + ACCEPTED + ".");
            }
            try {
                reader.setInput(in, false, false);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (format.equals("gif")) {
                    return GifFrames.decode(reader, stack, firstOnly, DEFAULT_GIF_FPS);
                }
                BufferedImage image = reader.read(0);
                addStill(path, image, stack, layout, firstOnly);
                return Double.NaN;
            } finally {
                reader.dispose();
            }
        } catch (MediaException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders report truncated or corrupt files with IIOException and, for some damaged
            // files, with runtime exceptions; either way the user's remedy is the same.
            throw new MediaException("Cannot decode " + path + " (" + describe(e) + "): the file is truncated,"
                    + " corrupt or in an unsupported variant of its format; re-export it as PNG, JPEG or GIF.", e);
        }
    }

    private static ImageReader findReader(ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            try {
                if (FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) {
                    return r;
                }
            } catch (IOException e) {
                // a reader that cannot even name its format is not one we want
            }
            r.dispose();
        }
        return null;
    }

    private static void addStill(Path path, BufferedImage image, Pixels.FrameStack stack, Layout layout,
            boolean firstOnly) {
        int w = image.getWidth();
        int h = image.getHeight();
        int frames;
        switch (layout) {
            case SINGLE_IMAGE:
                frames = 1;
                break;
            case STRIP:
                if (w % h != 0) {
                    throw new MediaException("Input " + path + " is " + w + "x" + h + ", not a strip of square"
                            + " frames side by side (its width must be a whole multiple of its height): read it"
                            + " as a single image instead.");
                }
                frames = w / h;
                break;
            default:
                frames = stripFrameCount(w, h);
        }
        int[] argb = Pixels.argb(image);
        int frameWidth = w / frames;
        for (int f = 0; f < (firstOnly ? 1 : frames); f++) {
            stack.add(argb, w, f * frameWidth, 0, frameWidth, h);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 200; t = t.getCause()) {
            String m = t.getMessage();
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
        }
        return sb.toString();
    }

}
