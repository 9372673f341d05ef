package io.motionkernels.media;

import io.motionkernels.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/**
 * Composites the frames of an animated GIF the way browsers play it. A GIF frame may be a
 * sub-image placed at an offset on the logical screen, with transparent pixels that let the
 * previous picture show through, and a disposal method saying what to do with its area before
 * the next frame: keep it, clear it to transparent (restore to background; browsers use
 * transparent rather than the background colour) or restore what was there before it.
 */
final class GifFrames {
    static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";
    static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";

    private static final int KEEP = 0;
    private static final int RESTORE_BACKGROUND = 2;
    private static final int RESTORE_PREVIOUS = 3;

    private GifFrames() {
    }

    /** Frame placement and timing read from one frame's metadata. */
    private static final class Frame {
        int left;
        int top;
        int width;
        int height;
        int disposal = KEEP;
        int delay;
    }

    /**
     * A GIF's composited frames, decoded one at a time. The frame count is found by a scan that
     * skips the image data; the screen, each frame's size and the total compositing work are
     * checked against {@code limits} before anything is decoded.
     */
    static final class Stream implements FrameStream {
        private final String file;
        private final ImageInputStream input;
        private final ImageReader reader;
        private final Framer framer;
        private final int count;
        private final long used;
        private final int sw;
        private final int sh;
        private final MediaLimits limits;
        private final double fps;
        private int[] canvas;
        private int[] saved;
        private Frame previous;
        private int index;

        Stream(String file, ImageInputStream input, ImageReader reader, Framer framer, long maxFrames,
                long fileBytes, MediaLimits limits, double defaultFps) throws IOException {
            this.file = file;
            this.input = input;
            this.reader = reader;
            this.framer = framer;
            this.limits = limits;
            this.count = reader.getNumImages(true);
            if (count <= 0) {
                throw new MediaException("Input " + file + " contains no frames: give a GIF with at least one frame.");
            }
            int[] screen = logicalScreen(reader.getStreamMetadata());
            Frame first = frameInfo(reader.getImageMetadata(0));
            if (screen[0] <= 0 || screen[1] <= 0) {
                screen = new int[] {Math.max(1, first.left + first.width), Math.max(1, first.top + first.height)};
            }
            this.sw = screen[0];
            this.sh = screen[1];
            limits.checkPicture(file, "a logical screen", sw, sh);
            this.used = Math.min(count, maxFrames);
            long work = used * (long) sw * sh;
            long budget = limits.gifBudget(fileBytes);
            if (work > budget) {
                throw new MediaException(file + " is a " + fileBytes + "-byte GIF asking for " + used + " frames of "
                        + sw + "x" + sh + " (" + work + " pixels to composite), more than the limit of " + budget
                        + " for a file of its size: the file is damaged or hostile; if it is genuine, read fewer"
                        + " frames with --frames.");
            }
            this.fps = frameRate(defaultFps);
        }

        /** Frames per second from the delays of the frames read (all of them, from metadata only). */
        private double frameRate(double defaultFps) throws IOException {
            long delaySum = 0;
            int delayed = 0;
            for (int i = 0; i < used; i++) {
                Frame f = frameInfo(reader.getImageMetadata(i));
                if (f.delay > 0) {
                    delaySum += f.delay;
                    delayed++;
                }
            }
            return delayed == 0 ? defaultFps : 100.0 * delayed / delaySum;
        }

        @Override
        public Tensor next() {
            if (index >= used) {
                return null;
            }
            try {
                Frame f = frameInfo(reader.getImageMetadata(index));
                limits.checkPicture(file, "frame " + (index + 1) + " of", f.width, f.height);
                if (canvas == null) {
                    canvas = new int[sw * sh];
                } else if (previous.disposal == RESTORE_BACKGROUND) {
                    clear(canvas, sw, sh, previous);
                } else if (previous.disposal == RESTORE_PREVIOUS && saved != null) {
                    canvas = saved;
                }
                saved = f.disposal == RESTORE_PREVIOUS ? canvas.clone() : null;
                BufferedImage sub = reader.read(index);
                // The decoded image is the authority on the sub-image size; the descriptor may disagree.
                f.width = sub.getWidth();
                f.height = sub.getHeight();
                draw(canvas, sw, sh, Pixels.argb(sub), f);
                previous = f;
                index++;
                return framer.frame(canvas, sw, 0, 0, sw, sh);
            } catch (IOException | RuntimeException e) {
                if (e instanceof MediaException m) {
                    throw m;
                }
                throw new MediaException("Cannot decode frame " + (index + 1) + " of " + file + " (" + e.getMessage()
                        + "): the GIF is damaged; re-export or download it again.", e);
            }
        }

        @Override
        public double fps() {
            return fps;
        }

        @Override
        public long declaredFrames() {
            return count;
        }

        @Override
        public String description() {
            return "GIF " + sw + "x" + sh + ", " + count + " frames";
        }

        @Override
        public void close() {
            reader.dispose();
            try {
                input.close();
            } catch (IOException e) {
                // nothing was written; a failed close of a read-only file changes nothing
            }
        }
    }

    private static Frame frameInfo(IIOMetadata metadata) {
        Frame f = new Frame();
        Node root = metadata.getAsTree(IMAGE_FORMAT);
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if ("ImageDescriptor".equals(n.getNodeName())) {
                f.left = intAttr(n, "imageLeftPosition", 0);
                f.top = intAttr(n, "imageTopPosition", 0);
                f.width = intAttr(n, "imageWidth", 0);
                f.height = intAttr(n, "imageHeight", 0);
            } else if ("GraphicControlExtension".equals(n.getNodeName())) {
                f.delay = intAttr(n, "delayTime", 0);
                f.disposal = disposal(attr(n, "disposalMethod"));
            }
        }
        return f;
    }

    private static int disposal(String name) {
        if ("restoreToBackgroundColor".equals(name)) {
            return RESTORE_BACKGROUND;
        }
        if ("restoreToPrevious".equals(name)) {
            return RESTORE_PREVIOUS;
        }
        return KEEP; // "none", "doNotDispose" and the reserved values all leave the frame in place
    }

    /** The logical screen's size, {0, 0} when the file does not give one. */
    private static int[] logicalScreen(IIOMetadata stream) {
        int w = 0;
        int h = 0;
        if (stream != null) {
            Node root = stream.getAsTree(STREAM_FORMAT);
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if ("LogicalScreenDescriptor".equals(n.getNodeName())) {
                    w = intAttr(n, "logicalScreenWidth", 0);
                    h = intAttr(n, "logicalScreenHeight", 0);
                }
            }
        }
        return new int[] {w, h};
    }

    private static void clear(int[] canvas, int sw, int sh, Frame f) {
        int x1 = Math.min(sw, f.left + f.width);
        for (int y = Math.max(0, f.top); y < Math.min(sh, f.top + f.height); y++) {
            int x0 = Math.max(0, f.left);
            if (x0 < x1) {
                Arrays.fill(canvas, y * sw + x0, y * sw + x1, 0);
            }
        }
    }

    /** Draws the frame's opaque pixels, clipped to the screen; transparent ones leave the canvas. */
    private static void draw(int[] canvas, int sw, int sh, int[] sub, Frame f) {
        for (int y = 0; y < f.height; y++) {
            int cy = f.top + y;
            if (cy < 0 || cy >= sh) {
                continue;
            }
            for (int x = 0; x < f.width; x++) {
                int cx = f.left + x;
                int p = sub[y * f.width + x];
                if (cx >= 0 && cx < sw && (p >>> 24) != 0) {
                    canvas[cy * sw + cx] = p;
                }
            }
        }
    }

    private static String attr(Node n, String name) {
        Node a = n.getAttributes() == null ? null : n.getAttributes().getNamedItem(name);
        return a == null ? null : a.getNodeValue();
    }

    private static int intAttr(Node n, String name, int fallback) {
        String v = attr(n, name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
