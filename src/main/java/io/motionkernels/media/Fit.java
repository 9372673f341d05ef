package io.motionkernels.media;

import java.util.Locale;

/**
 * How a picture whose proportions differ from the model's frame is made to fit it. The model runs
 * on a fixed frame (square for every published configuration); a 451x300 photo is either cut,
 * bordered or distorted to get there, and the caller chooses which.
 */
public enum Fit {
    /** The largest centred region of the frame's proportions, scaled: the borders are cut off. */
    CROP,
    /** The whole picture, scaled to fit inside, centred on black: nothing is lost or distorted. */
    PAD,
    /** The whole picture scaled to the frame on each axis on its own: proportions change. */
    STRETCH;

    /** Parses crop, pad or stretch (any case). */
    public static Fit parse(String name) {
        for (Fit f : values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new MediaException("--fit must be crop, pad or stretch, got '" + name + "'");
    }

    String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Where a {@code w} x {@code h} picture lands in a {@code tw} x {@code th} frame. */
    Placement place(int w, int h, int tw, int th) {
        // Exact integer comparison of w/h against tw/th.
        long lhs = (long) w * th;
        long rhs = (long) h * tw;
        if (lhs == rhs || this == STRETCH) {
            return new Placement(0, 0, w, h, 0, 0, tw, th);
        }
        if (this == CROP) {
            if (lhs > rhs) {
                int cw = (int) Math.max(1, Math.round((double) h * tw / th));
                return new Placement((w - cw) / 2, 0, cw, h, 0, 0, tw, th);
            }
            int ch = (int) Math.max(1, Math.round((double) w * th / tw));
            return new Placement(0, (h - ch) / 2, w, ch, 0, 0, tw, th);
        }
        if (lhs > rhs) {
            int sh = (int) Math.max(1, Math.round((double) tw * h / w));
            return new Placement(0, 0, w, h, 0, (th - sh) / 2, tw, sh);
        }
        int sw = (int) Math.max(1, Math.round((double) th * w / h));
        return new Placement(0, 0, w, h, (tw - sw) / 2, 0, sw, th);
    }

    /**
     * The source region (x, y, w, h) of the picture and the destination rectangle (dx, dy, dw,
     * dh) it is scaled to inside the frame; the rest of the frame is black.
     */
    record Placement(int x, int y, int w, int h, int dx, int dy, int dw, int dh) {
    }

    /**
     * What this fit does to a {@code w} x {@code h} picture in a {@code tw} x {@code th} frame, in
     * words, or null when the proportions already match (nothing is cut, added or distorted).
     */
    String describe(String what, int w, int h, int tw, int th) {
        if ((long) w * th == (long) h * tw) {
            return null;
        }
        String size = w + "x" + h;
        String frame = tw + "x" + th;
        return switch (this) {
            case CROP -> {
                Placement p = place(w, h, tw, th);
                yield what + " is " + size + ": its centre " + p.w() + "x" + p.h() + " is used for the model's "
                        + frame + " frame, the rest is cut off (--fit pad keeps all of it on black borders,"
                        + " --fit stretch distorts it to fill the frame)";
            }
            case PAD -> what + " is " + size + ": it is scaled to fit the model's " + frame
                    + " frame with black borders (--fit crop fills the frame instead)";
            case STRETCH -> what + " is " + size + ": it is stretched to the model's " + frame
                    + " frame, which changes its proportions (--fit crop or pad keeps them)";
        };
    }
}
