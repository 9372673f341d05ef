package io.motionkernels.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
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
     * Adds the composited frames (only the first when {@code firstOnly}) to {@code stack} and
     * returns the frame rate from the delays: frames per second over the frames that have a
     * delay, {@code defaultFps} when none has one. Returns NaN when {@code firstOnly}.
     */
    static double decode(ImageReader reader, Pixels.FrameStack stack, boolean firstOnly, double defaultFps)
            throws IOException {
        int count = reader.getNumImages(true);
        if (count <= 0) {
            return Double.NaN;
        }
        int used = firstOnly ? 1 : count;
        Frame[] frames = new Frame[used];
        for (int i = 0; i < used; i++) {
            frames[i] = frameInfo(reader.getImageMetadata(i));
        }
        int[] screen = screenSize(reader.getStreamMetadata(), frames);
        int sw = screen[0];
        int sh = screen[1];
        int[] canvas = new int[sw * sh];
        int[] saved = null;
        long delaySum = 0;
        int delayed = 0;
        for (int i = 0; i < used; i++) {
            Frame f = frames[i];
            if (i > 0) {
                Frame prev = frames[i - 1];
                if (prev.disposal == RESTORE_BACKGROUND) {
                    clear(canvas, sw, sh, prev);
                } else if (prev.disposal == RESTORE_PREVIOUS && saved != null) {
                    canvas = saved;
                }
            }
            saved = f.disposal == RESTORE_PREVIOUS ? canvas.clone() : null;
            BufferedImage sub = reader.read(i);
            // The decoded image is the authority on the sub-image size; the descriptor may disagree.
            f.width = sub.getWidth();
            f.height = sub.getHeight();
            draw(canvas, sw, sh, Pixels.argb(sub), f);
            stack.add(canvas, sw, 0, 0, sw, sh);
            if (f.delay > 0) {
                delaySum += f.delay;
                delayed++;
            }
        }
        if (firstOnly) {
            return Double.NaN;
        }
        return delayed == 0 ? defaultFps : 100.0 * delayed / delaySum;
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

    /** The logical screen, or the frames' bounding box when the file does not give one. */
    private static int[] screenSize(IIOMetadata stream, Frame[] frames) {
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
        if (w <= 0 || h <= 0) {
            for (Frame f : frames) {
                w = Math.max(w, f.left + f.width);
                h = Math.max(h, f.top + f.height);
            }
        }
        return new int[] {Math.max(w, 1), Math.max(h, 1)};
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
