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
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes the results of {@code animate}. The format follows the output's extension:
 * <ul>
 * <li>{@code .gif}: a looping animated GIF, one picture per frame, delays from the frame rate
 *     ({@value #DEFAULT_FPS} fps when unknown), colours from one shared palette (see
 *     {@link Palette});</li>
 * <li>{@code .png}: the frames side by side in one image (Monkey-Net's strip layout), marked as
 *     a strip in a tEXt chunk so that {@link MediaReader} reads it back as a video;</li>
 * <li>{@code .mp4}: H.264, yuv420p (odd sizes padded to even with black), at the driving video's
 *     frame rate, with its audio; streamed frame by frame (needs {@link Ffmpeg}).</li>
 * </ul>
 * GIF frame delays below 20 ms are played at 100 ms by browsers, so a GIF is written at most at
 * {@value #MAX_GIF_FPS} fps (see {@link #gifFps}).
 * Inputs are (1, 3, D, H, W) tensors of RGB values in [0, 1]: values are clamped, NaN becomes 0,
 * and each is rounded to 8 bits. Writes are atomic: the file is written under a temporary name in
 * the output's folder, flushed to disk and renamed over the output, and the temporary file is
 * removed on any failure, so the output is either the complete new file or untouched.
 */
public final class MediaWriter {
    /** The frame rate used when the caller has none (NaN, zero or negative). */
    public static final double DEFAULT_FPS = 10.0;
    /** The output extensions, lower case, with their dot. */
    public static final List<String> SUPPORTED_EXTENSIONS = List.of(".gif", ".png", ".mp4");
    /** The highest GIF frame rate players honour: delays of 2 hundredths of a second. */
    public static final double MAX_GIF_FPS = 50.0;

    private enum Format { GIF, PNG, MP4 }

    /** What a result is shown with: the animated frames alone, or source | driving | result. */
    public enum View { RESULT, SIDE_BY_SIDE }

    /**
     * How to write an output.
     *
     * @param fps            frames per second (the driving video's; NaN: {@value #DEFAULT_FPS})
     * @param view           result alone or side by side
     * @param source         the source frame (1, 3, 1, H, W) for the side-by-side view, else null
     * @param audioFrom      a file whose audio an mp4 output keeps (the driving video), or null
     * @param expectedFrames how many frames will come, -1 when unknown; a GIF or PNG refuses
     *                       frames beyond {@link MediaLimits#maxHeldBytes} as they come, so
     *                       callers check {@link #heldBytes} of this count before the work
     * @param limits         the limits
     * @param notes          receives a line when the output differs from what was asked (null: none)
     */
    public record Output(double fps, View view, Tensor source, Path audioFrom, long expectedFrames,
            MediaLimits limits, java.util.function.Consumer<String> notes) {
        public static Output of(double fps) {
            return new Output(fps, View.RESULT, null, null, -1, MediaLimits.DEFAULT, null);
        }
    }

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
        Format f = format(out);
        if (f == Format.MP4) {
            Ffmpeg.require("Writing " + out + " (mp4 video)");
        }
    }

    /** True when {@code out} names a video format written frame by frame (mp4). */
    public static boolean isVideo(Path out) {
        return format(out) == Format.MP4;
    }

    /**
     * The frame rate a GIF is written at for {@code fps}: at most {@value #MAX_GIF_FPS}, because
     * players show shorter delays at 100 ms.
     */
    public static double gifFps(double fps) {
        return Math.min(effectiveFps(fps), MAX_GIF_FPS);
    }

    /**
     * Opens {@code out} for writing frame by frame. An mp4 is encoded as frames arrive; a GIF or
     * PNG keeps the frames and is encoded by {@link FrameSink#finish}.
     */
    public static FrameSink open(Path out, Output options) {
        Format format = format(out);
        if (options.view() == View.SIDE_BY_SIDE && options.source() == null) {
            throw new IllegalArgumentException("the side-by-side view needs the source frame");
        }
        if (format == Format.MP4) {
            Ffmpeg.require("Writing " + out + " (mp4 video)");
            return new Mp4Sink(out, options);
        }
        return new HeldSink(out, format, options);
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
            writeAtomically(out, os -> GifEncoder.write(os, frames, w, h, gifFps(fps)));
        } else if (format == Format.MP4) {
            try (FrameSink sink = open(out, Output.of(fps))) {
                sink.write(null, video);
                sink.finish();
            }
        } else {
            int[] strip = new int[d * w * h];
            for (int f = 0; f < d; f++) {
                blit(frames.get(f), w, h, strip, d * w, f * w, 0);
            }
            writeAtomically(out, os -> writePng(os, strip, d * w, h, d));
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
            writeAtomically(out, os -> GifEncoder.write(os, frames, n * w, h, gifFps(fps)));
        } else if (format == Format.MP4) {
            try (Mp4Sink sink = new Mp4Sink(out, Output.of(fps))) {
                for (int f = 0; f < d; f++) {
                    int[] frame = new int[n * w * h];
                    for (int i = 0; i < n; i++) {
                        Tensor p = sized.get(i);
                        blit(Pixels.rgb8(p, p.dim(2) == 1 ? 0 : f), w, h, frame, n * w, i * w, 0);
                    }
                    sink.frame(frame, n * w, h);
                }
                sink.finish();
            }
        } else {
            int[] grid = new int[d * w * n * h];
            for (int i = 0; i < n; i++) {
                Tensor p = sized.get(i);
                for (int f = 0; f < d; f++) {
                    blit(Pixels.rgb8(p, p.dim(2) == 1 ? 0 : f), w, h, grid, d * w, f * w, i * h);
                }
            }
            writeAtomically(out, os -> writePng(os, grid, d * w, n * h, 0));
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
        } else if (lower.endsWith(".mp4")) {
            format = Format.MP4;
        } else {
            throw new MediaException("Output " + out + " has an unsupported extension: use one of "
                    + String.join(", ", SUPPORTED_EXTENSIONS) + " (animated GIF, PNG strip of frames, H.264 video)"
                    + " or, from the command line, .safetensors (the exact float32 frames).");
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

    /** Writes a PNG; {@code stripFrames} > 1 marks it as a strip of that many frames. */
    private static void writePng(OutputStream os, int[] rgb, int width, int height, int stripFrames)
            throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        // A memory cache, not ImageIO's default file cache in java.io.tmpdir.
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(os)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            if (stripFrames > 1) {
                IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                entry.setAttribute("keyword", PngChunks.STRIP_KEYWORD);
                entry.setAttribute("value", PngChunks.stripMarkerValue(stripFrames));
                IIOMetadataNode text = new IIOMetadataNode("tEXt");
                text.appendChild(entry);
                IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
                root.appendChild(text);
                metadata.mergeTree("javax_imageio_png_1.0", root);
            }
            writer.write(null, new IIOImage(image, null, metadata), param);
        } finally {
            writer.dispose();
        }
    }

    /** An mp4 encoded as frames arrive, into a hidden file moved into place by {@link #finish}. */
    private static final class Mp4Sink implements FrameSink {
        private final Path out;
        private final Output options;
        private final Path tmp;
        private VideoEncoder encoder;
        private int[] even;
        private long frames;
        private boolean done;

        Mp4Sink(Path out, Output options) {
            this.out = out;
            this.options = options;
            try {
                this.tmp = createTemp(out.toAbsolutePath().getParent(), out.getFileName().toString());
            } catch (AccessDeniedException e) {
                throw new MediaException("Cannot write " + out + ": permission denied; choose another output path.", e);
            } catch (IOException e) {
                throw new MediaException("Cannot write " + out + ": " + e + "; check the disk space and the path.", e);
            }
        }

        @Override
        public void write(Tensor driving, Tensor result) {
            requireVideo("result", result);
            boolean sides = options.view() == View.SIDE_BY_SIDE;
            int h = result.dim(3);
            int w = result.dim(4);
            int n = sides ? 3 : 1;
            Tensor src = sides ? resized(options.source(), h, w) : null;
            Tensor drv = sides ? resized(driving, h, w) : null;
            int[] srcRgb = sides ? Pixels.rgb8(src, 0) : null;
            for (int f = 0; f < result.dim(2); f++) {
                int[] frame = new int[n * w * h];
                if (sides) {
                    blit(srcRgb, w, h, frame, n * w, 0, 0);
                    blit(Pixels.rgb8(drv, f), w, h, frame, n * w, w, 0);
                }
                blit(Pixels.rgb8(result, f), w, h, frame, n * w, (n - 1) * w, 0);
                frame(frame, n * w, h);
            }
        }

        /** Encodes one frame, padding odd sizes to even with black (yuv420p needs even sizes). */
        void frame(int[] rgb, int w, int h) {
            int ew = w + (w & 1);
            int eh = h + (h & 1);
            if (encoder == null) {
                encoder = new VideoEncoder(tmp, VideoEncoder.MP4, ew, eh, effectiveFps(options.fps()),
                        options.audioFrom(), options.notes());
            }
            if (ew != w || eh != h) {
                if (even == null) {
                    even = new int[ew * eh];
                }
                blit(rgb, w, h, even, ew, 0, 0);
                rgb = even;
            }
            encoder.write(rgb);
            frames++;
        }

        @Override
        public void finish() {
            if (encoder == null) {
                throw new MediaException("Nothing to write to " + out + ": no frames were made.");
            }
            encoder.finish();
            encoder.close();
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            } catch (IOException e) {
                throw new MediaException("Cannot write " + out + ": " + e + "; check the disk space and the path.", e);
            }
            try {
                try {
                    Files.move(tmp, out.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, out.toAbsolutePath(), StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new MediaException("Cannot write " + out + ": " + e + "; check the path.", e);
            }
            done = true;
        }

        @Override
        public long frames() {
            return frames;
        }

        @Override
        public void close() {
            if (encoder != null) {
                encoder.close();
            }
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // nothing more can be done; the original failure is what the user needs to see
                }
            }
        }
    }

    /** GIF and PNG need every frame before they can be encoded (one palette, one picture). */
    private static final class HeldSink implements FrameSink {
        private final Path out;
        private final Format format;
        private final Output options;
        private final List<Tensor> results = new ArrayList<>();
        private final List<Tensor> drivings = new ArrayList<>();
        private long frames;
        private long bytes;

        HeldSink(Path out, Format format, Output options) {
            this.out = out;
            this.format = format;
            this.options = options;
        }

        @Override
        public void write(Tensor driving, Tensor result) {
            requireVideo("result", result);
            long add = (long) result.numel() * 4 * (options.view() == View.SIDE_BY_SIDE ? 2 : 1);
            if (bytes + add > options.limits().maxHeldBytes()) {
                throw tooMany(out, options.limits(), frames + result.dim(2));
            }
            bytes += add;
            results.add(result);
            if (options.view() == View.SIDE_BY_SIDE) {
                drivings.add(driving);
            }
            frames += result.dim(2);
        }

        @Override
        public void finish() {
            if (results.isEmpty()) {
                throw new MediaException("Nothing to write to " + out + ": no frames were made.");
            }
            Tensor result = concat(results);
            results.clear();
            double fps = options.fps();
            if (format == Format.GIF && effectiveFps(fps) > MAX_GIF_FPS && options.notes() != null) {
                options.notes().accept(String.format(java.util.Locale.ROOT, "GIF players show frames at most %.0f"
                        + " times a second, so %s is written at %.0f fps instead of %.3g (it plays %.2fx slower);"
                        + " write .mp4 to keep the frame rate", MAX_GIF_FPS, out, MAX_GIF_FPS, effectiveFps(fps),
                        effectiveFps(fps) / MAX_GIF_FPS));
            }
            if (options.view() == View.SIDE_BY_SIDE) {
                writeSideBySide(out, options.source(), concat(drivings), result, fps);
            } else {
                MediaWriter.write(out, result, fps);
            }
        }

        @Override
        public long frames() {
            return frames;
        }

        @Override
        public void close() {
            results.clear();
            drivings.clear();
        }
    }

    /** The refusal when frames held for a GIF or PNG would pass {@link MediaLimits#maxHeldBytes}. */
    public static MediaException tooMany(Path out, MediaLimits limits, long frames) {
        return new MediaException(frames + " frames are too many for " + out + ": a GIF or PNG is encoded from"
                + " all of its frames at once, and they would take more than " + (limits.maxHeldBytes() >> 20)
                + " MiB; write .mp4 (streamed frame by frame) or animate fewer frames with --frames.");
    }

    /** Bytes a GIF or PNG output holds for {@code frames} frames of h x w (x2 side by side). */
    public static long heldBytes(long frames, int h, int w, View view) {
        return frames * 3L * h * w * 4 * (view == View.SIDE_BY_SIDE ? 2 : 1);
    }

    private static Tensor concat(List<Tensor> chunks) {
        if (chunks.size() == 1) {
            return chunks.get(0);
        }
        int d = 0;
        for (Tensor t : chunks) {
            d += t.dim(2);
        }
        Tensor first = chunks.get(0);
        Tensor all = Tensor.zeros(1, 3, d, first.dim(3), first.dim(4));
        int at = 0;
        for (Tensor t : chunks) {
            io.motionkernels.tensor.Frames.copyInto(t, all, at);
            at += t.dim(2);
        }
        return all;
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
