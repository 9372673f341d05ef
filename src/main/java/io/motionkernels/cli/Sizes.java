package io.motionkernels.cli;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.model.ModelConfig;

/**
 * The frame sizes a configuration can run at: every network halves the frame once per block, so
 * the size (after each network's scale factor) must divide by 2^blocks. Checked before any work so
 * that --size 65 names this rule instead of failing deep inside the model or blaming an input.
 */
final class Sizes {
    /** Larger frames need tens of GB for the model's activations; no published model uses them. */
    static final int MAX = 2048;

    private Sizes() {
    }

    static boolean valid(ModelConfig c, int size) {
        if (size < 1 || size > MAX) {
            return false;
        }
        ModelConfig.KpDetectorParams kp = c.kpDetector();
        ModelConfig.GeneratorParams g = c.generator();
        boolean ok = divides(size, kp.scaleFactor(), kp.numBlocks()) && divides(size, 1, g.numBlocks());
        if (g.denseMotion() != null) {
            ok &= divides(size, g.denseMotion().scaleFactor() * g.denseMotion().maskEmbedding().scaleFactor(),
                    g.denseMotion().numBlocks());
        }
        return ok;
    }

    private static boolean divides(int size, double scale, int blocks) {
        int s = (int) Math.floor(size * scale);
        return s > 0 && blocks < 31 && s % (1 << blocks) == 0;
    }

    static void check(ModelConfig c, int size) {
        if (valid(c, size)) {
            return;
        }
        int below = size > MAX ? MAX + 1 : size;
        while (below > 0 && !valid(c, below)) {
            below--;
        }
        int above = size;
        while (above <= MAX && !valid(c, above)) {
            above++;
        }
        int step = 0;
        for (int s = 1; s <= MAX; s++) {
            if (valid(c, s)) {
                step = s;
                break;
            }
        }
        StringBuilder nearest = new StringBuilder();
        if (below > 0) {
            nearest.append(below);
        }
        if (above <= MAX && above != below) {
            nearest.append(nearest.length() > 0 ? " or " : "").append(above);
        }
        throw new MotionKernelsException("--size " + size + " is not a frame size configuration " + c.name()
                + " runs at: " + (step > 0 ? "it needs a multiple of " + step + " up to " + MAX
                        : "no size up to " + MAX + " fits its networks")
                + (nearest.length() > 0 ? "; the nearest valid sizes are " + nearest : "")
                + " (its default is " + c.defaultSize() + ")");
    }
}
