package io.motionkernels.media;

import io.motionkernels.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the inputs of {@code animate}, frame by frame ({@link #open}), fitted to the model's frame
 * (see {@link Fit}) as RGB values in [0, 1] (alpha composited on black, grey expanded to RGB,
 * deeper samples rounded to 8 bits).
 *
 * <p>Inputs are recognised by their contents, not their names:
 * <ul>
 * <li>a PNG or JPEG image: one frame; a strip of frames side by side only when asked
 *     ({@link Layout#STRIP}) or when it is a PNG strip written by this tool (its own tEXt
 *     marker), never guessed from the proportions;</li>
 * <li>an animated GIF: every frame composited as a browser shows it, with the frame rate from the
 *     frame delays ({@value #DEFAULT_GIF_FPS} fps when the file has none);</li>
 * <li>a folder of PNG/JPEG frames (files ending in .png, .jpg or .jpeg; hidden files skipped),
 *     one frame per file, in natural name order (frame2 before frame10);</li>
 * <li>anything else FFmpeg reads (mp4, mov, webm, mkv, avi, animated WebP and PNG, ...), when
 *     FFmpeg's natives ({@code org.bytedeco:ffmpeg}) are on the class path; see {@link Ffmpeg}.</li>
 * </ul>
 * Images and GIFs are decoded in pure Java. Damaged files are refused, not patched: a JPEG or GIF
 * cut short, a PNG chunk failing its CRC. A JPEG's EXIF orientation and a video's display matrix
 * are applied, so the model sees what viewers show. Every limit in
 * {@link MediaLimits} is checked before the work it bounds. Problems a user can fix throw
 * {@link MediaException}.
 */
public final class MediaReader {
    /** The frame rate of a GIF whose frames have no delay, as browsers play it. */
    public static final double DEFAULT_GIF_FPS = 10.0;

    private static final List<String> FRAME_EXTENSIONS = List.of(".png", ".jpg", ".jpeg");
    private static final String ACCEPTED = "give a video (mp4, mov, webm, mkv, ...), an animated GIF, a PNG or JPEG"
            + " image, or a folder of PNG/JPEG frames";

    /** How to read a PNG or JPEG image file; GIFs, videos and folders always give their own frames. */
    public enum Layout {
        /** One frame, unless the file is a PNG strip written by this tool (it says so itself). */
        AUTO,
        /** Always one frame, however wide the image. */
        SINGLE_IMAGE,
        /** Square frames side by side; an image whose width is not a multiple of its height is an error. */
        STRIP
    }

    /**
     * How to read an input.
     *
     * @param what      what the input is for, in messages and notes ("source", "driving video")
     * @param height    the model's frame height
     * @param width     the model's frame width
     * @param fit       how pictures of other proportions are fitted
     * @param layout    how PNG/JPEG images are read
     * @param maxFrames the most frames to decode (decoding stops there)
     * @param limits    bounds on the work a file may ask for
     * @param notes     receives one line whenever fitting changes a picture (null: none)
     */
    public record Options(String what, int height, int width, Fit fit, Layout layout, long maxFrames,
            MediaLimits limits, Consumer<String> notes) {
        public Options {
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
            }
            if (fit == null || layout == null || limits == null || what == null) {
                throw new IllegalArgumentException("fit, layout, limits and what must not be null");
            }
            if (maxFrames < 1) {
                throw new IllegalArgumentException("maxFrames must be positive, got " + maxFrames);
            }
        }

        /** Every frame, cropped, laid out as the file says, default limits, no notes. */
        public static Options of(int height, int width) {
            return new Options("input", height, width, Fit.CROP, Layout.AUTO, Long.MAX_VALUE, MediaLimits.DEFAULT, null);
        }

        public Options withLayout(Layout l) {
            return new Options(what, height, width, fit, l, maxFrames, limits, notes);
        }

        public Options withFit(Fit f) {
            return new Options(what, height, width, f, layout, maxFrames, limits, notes);
        }

        public Options withMaxFrames(long n) {
            return new Options(what, height, width, fit, layout, n, limits, notes);
        }

        public Options withLimits(MediaLimits l) {
            return new Options(what, height, width, fit, layout, maxFrames, l, notes);
        }

        public Options withNotes(String w, Consumer<String> n) {
            return new Options(w, height, width, fit, layout, maxFrames, limits, n);
        }
    }

    private MediaReader() {
    }

    /** Reads every frame of {@code path} into memory (short inputs; see {@link #open} for long ones). */
    public static Video read(Path path, int height, int width) {
        return read(path, Options.of(height, width));
    }

    /** Reads every frame of {@code path}, reading PNG/JPEG files as {@code layout} says. */
    public static Video read(Path path, int height, int width, Layout layout) {
        return read(path, Options.of(height, width).withLayout(layout));
    }

    /** Reads the frames {@code options} ask for into memory. */
    public static Video read(Path path, Options options) {
        try (FrameStream in = open(path, options)) {
            List<Tensor> frames = new ArrayList<>();
            for (Tensor f = in.next(); f != null; f = in.next()) {
                frames.add(f);
            }
            if (frames.isEmpty()) {
                throw new MediaException("Input " + path + " contains no frames: " + ACCEPTED + ".");
            }
            int d = frames.size();
            int plane = options.height() * options.width();
            float[] data = new float[3 * d * plane];
            for (int f = 0; f < d; f++) {
                float[] src = frames.get(f).data();
                for (int c = 0; c < 3; c++) {
                    System.arraycopy(src, c * plane, data, (c * d + f) * plane, plane);
                }
            }
            return new Video(Tensor.of(data, 1, 3, d, options.height(), options.width()), in.fps());
        }
    }

    /** Reads a driving video: all frames, laid out as the file says. */
    public static Video readVideo(Path path, int height, int width) {
        return read(path, height, width, Layout.AUTO);
    }

    /**
     * Reads a source image: one frame (for a GIF, a video, a strip or a folder, the first).
     * {@link Video#firstFrame()} gives it as the (1, 3, 1, H, W) source tensor.
     */
    public static Video readImage(Path path, int height, int width) {
        return readImage(path, height, width, Layout.SINGLE_IMAGE);
    }

    /** Reads the first frame of {@code path}, reading PNG/JPEG files as {@code layout} says. */
    public static Video readImage(Path path, int height, int width, Layout layout) {
        return read(path, Options.of(height, width).withLayout(layout).withMaxFrames(1));
    }

    /**
     * Opens {@code path} for reading frame by frame. Only the header is read here (and, for a
     * PNG, its chunk framing; for a GIF, its frame count), so limits are checked before decoding.
     */
    public static FrameStream open(Path path, Options options) {
        return open(path, options, true);
    }

    /** {@link #open}, with FFmpeg or in pure Java only (the fuzz tests: FFmpeg's C is not fuzzed here). */
    static FrameStream open(Path path, Options options, boolean ffmpeg) {
        if (!Files.exists(path)) {
            throw new MediaException("Input " + path + " does not exist: check the path (" + ACCEPTED + ").");
        }
        Framer framer = new Framer(options.what(), options.height(), options.width(), options.fit(), options.notes());
        if (Files.isDirectory(path)) {
            return new FolderStream(path, options, framer, ffmpeg);
        }
        return openFile(path, options, framer, ffmpeg);
    }

    private static FrameStream viaFfmpeg(Path path, Options options, Framer framer, String why, boolean ffmpeg) {
        if (!ffmpeg) {
            throw new MediaException("Input " + path + " needs FFmpeg" + (why == null ? "" : " (" + why + ")")
                    + ", which this reader was asked not to use.");
        }
        return Ffmpeg.open(path, options, framer, why);
    }

    private static FrameStream openFile(Path path, Options options, Framer framer, boolean ffmpeg) {
        if (!Files.isReadable(path)) {
            throw new MediaException("Cannot read " + path + ": permission denied; make the file readable.");
        }
        long size;
        byte[] head = new byte[12];
        int got;
        try {
            size = Files.size(path);
            try (InputStream in = Files.newInputStream(path)) {
                got = in.readNBytes(head, 0, head.length);
            }
        } catch (IOException e) {
            throw new MediaException("Cannot read " + path + ": " + e.getMessage(), e);
        }
        if (size == 0) {
            throw new MediaException("Input " + path + " is empty (0 bytes), not an image or a video: " + ACCEPTED + ".");
        }
        Kind kind = Kind.of(head, got);
        if (kind == Kind.OTHER) {
            return viaFfmpeg(path, options, framer, null, ffmpeg);
        }
        try {
            if (kind == Kind.PNG) {
                PngChunks png = PngChunks.read(path);
                options.limits().checkPicture(path.toString(), "an image", png.width, png.height);
                if (png.animated) {
                    return viaFfmpeg(path, options, framer, "it is an animated PNG (APNG), which Java's"
                            + " PNG decoder reads only the first frame of", ffmpeg);
                }
                Layout layout = options.layout() == Layout.AUTO && png.stripFrames > 1 ? Layout.STRIP : options.layout();
                int frames = layout == Layout.STRIP && png.stripFrames > 1 ? png.stripFrames : 0;
                return still(path, options, framer, layout, frames);
            }
            if (kind == Kind.JPEG) {
                return still(path, options, framer, options.layout() == Layout.STRIP ? Layout.STRIP : Layout.SINGLE_IMAGE,
                        0);
            }
            if (!endsWithGifTrailer(path, size)) {
                throw new MediaException(path + " is truncated: the GIF file does not end with its trailer, so"
                        + " frames are missing; it was not written completely, get the whole file again.");
            }
            ImageInputStream in = ImageIO.createImageInputStream(path.toFile());
            ImageReader reader = reader(in, "gif");
            try {
                return new GifFrames.Stream(path.toString(), in, reader, framer, options.maxFrames(), size,
                        options.limits(), DEFAULT_GIF_FPS);
            } catch (IOException | RuntimeException e) {
                reader.dispose();
                in.close();
                throw e;
            }
        } catch (MediaException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders report corrupt files with IIOException and, for some damaged files, with
            // runtime exceptions; either way the user's remedy is the same.
            throw new MediaException("Cannot decode " + path + " (" + describe(e) + "): the file is damaged"
                    + " or in an unsupported variant of its format; re-export it as PNG, JPEG, GIF or mp4.", e);
        }
    }

    private enum Kind {
        PNG, JPEG, GIF, OTHER;

        static Kind of(byte[] h, int n) {
            if (n >= 8 && (h[0] & 0xff) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') {
                return PNG;
            }
            if (n >= 3 && (h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xd8 && (h[2] & 0xff) == 0xff) {
                return JPEG;
            }
            if (n >= 6 && h[0] == 'G' && h[1] == 'I' && h[2] == 'F' && h[3] == '8' && (h[4] == '7' || h[4] == '9')
                    && h[5] == 'a') {
                return GIF;
            }
            return OTHER;
        }
    }

    private static boolean endsWithGifTrailer(Path path, long size) throws IOException {
        try (var ch = Files.newByteChannel(path)) {
            ch.position(size - 1);
            var b = java.nio.ByteBuffer.allocate(1);
            return ch.read(b) == 1 && b.get(0) == 0x3b;
        }
    }

    private static ImageReader reader(ImageInputStream in, String format) throws IOException {
        if (in == null) {
            throw new IOException("it could not be opened");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (r.getFormatName().toLowerCase(Locale.ROOT).equals(format)) {
                r.setInput(in, false, false);
                return r;
            }
            r.dispose();
        }
        in.close();
        throw new IOException("this Java runtime has no " + format.toUpperCase(Locale.ROOT) + " reader");
    }

    /**
     * Decodes a PNG or JPEG image (its declared size checked first) and gives it as one frame or
     * as the frames of a strip ({@code declared} frames when the file says, else square ones).
     */
    private static FrameStream still(Path path, Options options, Framer framer, Layout layout, int declared)
            throws IOException {
        BufferedImage image;
        String format;
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            ImageReader reader = reader(in, readerFormat(in));
            try {
                format = reader.getFormatName().toUpperCase(Locale.ROOT);
                options.limits().checkPicture(path.toString(), "an image", reader.getWidth(0), reader.getHeight(0));
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((IIOReadWarningListener) (r, warning) -> warnings.add(warning));
                image = reader.read(0);
                if (!warnings.isEmpty()) {
                    // libjpeg reports a cut or damaged file as a warning and fills the rest with grey.
                    throw new MediaException(path + " is damaged (" + warnings.get(0) + "): its decoder had to"
                            + " fill in missing data; re-export or download it again.");
                }
            } finally {
                reader.dispose();
            }
        }
        int[] argb = Pixels.argb(image);
        int w = image.getWidth();
        int h = image.getHeight();
        if (format.equals("JPEG")) {
            int orientation = Orientation.exif(path, options.notes());
            if (orientation != 1) {
                int[] upright = new int[2];
                argb = Orientation.apply(argb, w, h, orientation, upright);
                w = upright[0];
                h = upright[1];
            }
        }
        int frames = 1;
        if (layout == Layout.STRIP) {
            if (declared > 1 && w % declared == 0) {
                frames = declared;
            } else if (w % h == 0) {
                frames = w / h;
            } else {
                throw new MediaException("Input " + path + " is " + w + "x" + h + ", not a strip of square"
                        + " frames side by side (its width must be a whole multiple of its height): read it"
                        + " as a single image instead.");
            }
        }
        int count = frames;
        int width = w;
        int height = h;
        int[] pixels = argb;
        int frameWidth = w / frames;
        long max = Math.min(count, options.maxFrames());
        String description = format + " " + w + "x" + h + (count > 1 ? ", a strip of " + count + " frames" : "");
        return new FrameStream() {
            private int index;

            @Override
            public Tensor next() {
                if (index >= max) {
                    return null;
                }
                return framer.frame(pixels, width, frameWidth * index++, 0, frameWidth, height);
            }

            @Override
            public double fps() {
                return Double.NaN;
            }

            @Override
            public long declaredFrames() {
                return count;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public void close() {
            }
        };
    }

    private static String readerFormat(ImageInputStream in) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            String f = r.getFormatName().toLowerCase(Locale.ROOT);
            r.dispose();
            if (f.equals("png") || f.equals("jpeg")) {
                return f;
            }
        }
        return "png";
    }

    /** One frame per image file of a folder, each decoded only when it is reached. */
    private static final class FolderStream implements FrameStream {
        private final Path folder;
        private final List<Path> files;
        private final Options options;
        private final Framer framer;
        private final boolean ffmpeg;
        private int index;

        FolderStream(Path folder, Options options, Framer framer, boolean ffmpeg) {
            this.ffmpeg = ffmpeg;
            this.folder = folder;
            this.files = frameFiles(folder);
            this.options = options;
            this.framer = framer;
            if (files.isEmpty()) {
                throw new MediaException("Folder " + folder + " has no frames: put the video's frames there as"
                        + " PNG or JPEG files (names ending in .png, .jpg or .jpeg), or give a video file.");
            }
        }

        @Override
        public Tensor next() {
            if (index >= files.size() || index >= options.maxFrames()) {
                return null;
            }
            Path file = files.get(index++);
            try (FrameStream one = openFile(file, options.withLayout(Layout.SINGLE_IMAGE).withMaxFrames(1), framer,
                    ffmpeg)) {
                Tensor t = one.next();
                if (t == null) {
                    throw new MediaException("Frame " + file + " in folder " + folder
                            + " contains no image: replace or remove it.");
                }
                return t;
            }
        }

        @Override
        public double fps() {
            return Double.NaN;
        }

        @Override
        public long declaredFrames() {
            return files.size();
        }

        @Override
        public String description() {
            return "a folder of " + files.size() + " frames";
        }

        @Override
        public void close() {
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

    static String describe(Throwable e) {
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
