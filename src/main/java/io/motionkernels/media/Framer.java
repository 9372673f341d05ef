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
        if (w != noticedW || h != noticedH) {
            noticedW = w;
            noticedH = h;
            String note = fit.describe(what, w, h, width, height);
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
                    channel[o + x] = ((px >> shift) & 0xff) / 255f * ((px >>> 24) / 255f);
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
