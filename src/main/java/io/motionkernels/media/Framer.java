package io.motionkernels.media;

import io.motionkernels.tensor.Tensor;
import java.util.function.Consumer;

/**
 * Turns decoded pictures of any size into the model's frames: places each with a {@link Fit}
 * (saying once what that did to the picture), composites alpha on black and resizes with
 * {@link ImageResize}, one colour plane at a time so that a 4K picture costs one plane of floats
 * beside its pixels, not three.
 */
final class Framer {
    private static final float INV_255_SQUARED = 1f / (255f * 255f);
    private final String what;
    private final int height;
    private final int width;
    private final Fit fit;
    private final Consumer<String> notes;
    private int noticedW = -1;
    private int noticedH = -1;

    Framer(String what, int height, int width, Fit fit, Consumer<String> notes) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
        }
        this.what = what;
        this.height = height;
        this.width = width;
        this.fit = fit;
        this.notes = notes;
    }

    /**
     * The {@code w} x {@code h} region at ({@code x0}, {@code y0}) of an ARGB picture whose rows
     * are {@code stride} pixels long, as a (1, 3, 1, H, W) frame. Alpha is dropped by compositing
     * on black, which matches Monkey-Net's own loader (it keeps the RGB channels of RGBA frames,
     * and transparent pixels are usually stored as black).
     */
    Tensor frame(int[] argb, int stride, int x0, int y0, int w, int h) {
        return frame(argb, stride, x0, y0, w, h, w, h);
    }

    /**
     * Like {@link #frame(int[], int, int, int, int, int)}, for a picture already shrunk from
     * {@code shownW} x {@code shownH}, the size its note names.
     */
    Tensor frame(int[] argb, int stride, int x0, int y0, int w, int h, int shownW, int shownH) {
        if (shownW != noticedW || shownH != noticedH) {
            noticedW = shownW;
            noticedH = shownH;
            String note = fit.describe(what, shownW, shownH, width, height);
            if (note != null && notes != null) {
                notes.accept(note);
            }
        }
        Fit.Placement p = fit.place(w, h, width, height);
        int plane = height * width;
        float[] out = new float[3 * plane];
        float[] channel = new float[p.w() * p.h()];
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * c;
            for (int y = 0; y < p.h(); y++) {
                int row = (y0 + p.y() + y) * stride + x0 + p.x();
                int o = y * p.w();
                for (int x = 0; x < p.w(); x++) {
                    int px = argb[row + x];
                    // (c / 255) * (a / 255) with one integer product: this loop is most of a 4K frame's cost.
                    channel[o + x] = ((px >> shift) & 0xff) * (px >>> 24) * INV_255_SQUARED;
                }
            }
            float[] scaled = ImageResize.resize(channel, p.h(), p.w(), p.dh(), p.dw());
            for (int y = 0; y < p.dh(); y++) {
                System.arraycopy(scaled, y * p.dw(), out, c * plane + (p.dy() + y) * width + p.dx(), p.dw());
            }
        }
        return Tensor.of(out, 1, 3, 1, height, width);
    }
}
