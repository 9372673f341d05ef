package io.motionkernels.media;

import io.motionkernels.tensor.Tensor;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.ArrayList;
import java.util.List;

/** Conversions between decoded images and the engine's float planes. */
final class Pixels {
    private Pixels() {
    }

    /**
     * The image as 8-bit non-premultiplied ARGB, row-major. Grey images are read from their
     * samples: {@link BufferedImage#getRGB} treats Java's grey colour space as linear and
     * brightens every grey pixel (128 becomes 188), whereas PNG and JPEG grey samples are already
     * gamma-encoded like sRGB and mean the same value in each of R, G and B. Deeper samples (16-bit
     * PNG) are rounded to 8 bits.
     */
    static int[] argb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            Raster raster = img.getRaster();
            int bands = raster.getNumBands();
            int greyMax = (1 << cm.getComponentSize(0)) - 1;
            boolean alpha = cm.hasAlpha() && bands > 1;
            int alphaMax = alpha ? (1 << cm.getComponentSize(bands - 1)) - 1 : 1;
            int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
            int[] out = new int[w * h];
            for (int p = 0; p < out.length; p++) {
                int g = scaleTo8(samples[p * bands], greyMax);
                int a = alpha ? scaleTo8(samples[p * bands + bands - 1], alphaMax) : 255;
                out[p] = a << 24 | g << 16 | g << 8 | g;
            }
            return out;
        }
        return img.getRGB(0, 0, w, h, null, 0, w);
    }

    private static int scaleTo8(int sample, int max) {
        return max == 255 ? sample : (int) Math.round(sample * 255.0 / max);
    }

    /** Resizes decoded frames to one size and stacks them into a (1, 3, D, H, W) tensor. */
    static final class FrameStack {
        private final int height;
        private final int width;
        private final List<float[][]> frames = new ArrayList<>();

        FrameStack(int height, int width) {
            this.height = height;
            this.width = width;
        }

        /**
         * Appends the {@code w} x {@code h} region at ({@code x0}, {@code y0}) of an ARGB image
         * whose rows are {@code stride} pixels long. Alpha is dropped by compositing on black:
         * opaque pixels keep their colour and transparent ones become black, which matches
         * Monkey-Net's own loader (it keeps the RGB channels of RGBA frames, and transparent pixels
         * are usually stored as black).
         */
        void add(int[] argb, int stride, int x0, int y0, int w, int h) {
            float[][] planes = new float[3][w * h];
            for (int y = 0; y < h; y++) {
                int row = (y0 + y) * stride + x0;
                for (int x = 0; x < w; x++) {
                    int p = argb[row + x];
                    float a = (p >>> 24) / 255f;
                    int i = y * w + x;
                    planes[0][i] = ((p >> 16) & 0xff) / 255f * a;
                    planes[1][i] = ((p >> 8) & 0xff) / 255f * a;
                    planes[2][i] = (p & 0xff) / 255f * a;
                }
            }
            for (int c = 0; c < 3; c++) {
                planes[c] = ImageResize.resize(planes[c], h, w, height, width);
            }
            frames.add(planes);
        }

        int size() {
            return frames.size();
        }

        Video toVideo(double fps) {
            int d = frames.size();
            int plane = height * width;
            float[] data = new float[3 * d * plane];
            for (int f = 0; f < d; f++) {
                for (int c = 0; c < 3; c++) {
                    System.arraycopy(frames.get(f)[c], 0, data, (c * d + f) * plane, plane);
                }
            }
            return new Video(Tensor.of(data, 1, 3, d, height, width), fps);
        }
    }

    /**
     * Frame {@code d} of a (1, 3, D, H, W) tensor as opaque 8-bit RGB ints: values are clamped to
     * [0, 1] (NaN becomes 0) and rounded to the nearest of 256 levels.
     */
    static int[] rgb8(Tensor video, int d) {
        int frames = video.dim(2);
        int plane = video.dim(3) * video.dim(4);
        float[] data = video.data();
        int[] out = new int[plane];
        int r0 = d * plane;
        int g0 = (frames + d) * plane;
        int b0 = (2 * frames + d) * plane;
        for (int i = 0; i < plane; i++) {
            out[i] = 0xff000000 | to8(data[r0 + i]) << 16 | to8(data[g0 + i]) << 8 | to8(data[b0 + i]);
        }
        return out;
    }

    static int to8(float v) {
        if (!(v > 0f)) {
            return 0;
        }
        if (v >= 1f) {
            return 255;
        }
        return (int) (v * 255f + 0.5f);
    }
}
