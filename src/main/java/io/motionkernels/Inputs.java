package io.motionkernels;

import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;

/** Shape checks on what users pass in, with messages that say what was expected. */
final class Inputs {
    private Inputs() {
    }

    static void checkVideo(ModelConfig c, String what, Tensor t) {
        int channels = c.common().numChannels();
        if (t.rank() != 5 || t.dim(1) != channels || t.numel() == 0) {
            throw new MotionKernelsException(what + " must be a (batch, " + channels + ", frames, height, width) tensor,"
                    + " got " + t.shapeString());
        }
        int n = c.kpDetector().numBlocks();
        double s = c.kpDetector().scaleFactor();
        int h = scaled(t.dim(3), s);
        int w = scaled(t.dim(4), s);
        if (h % (1 << n) != 0 || w % (1 << n) != 0 || h == 0 || w == 0) {
            throw new MotionKernelsException(what + " is " + t.dim(3) + "x" + t.dim(4) + " but configuration " + c.name()
                    + " needs a height and width that, scaled by " + s + ", are multiples of " + (1 << n)
                    + " (its default size is " + c.defaultSize() + "x" + c.defaultSize() + ")");
        }
    }

    /** Driving frames for an animation of {@code source}: one video per source, of its size, finite. */
    static void checkDriving(ModelConfig c, Tensor source, Tensor driving) {
        checkVideo(c, "driving", driving);
        if (driving.dim(0) != source.dim(0)) {
            throw new MotionKernelsException("driving frames must be one video per source image ("
                    + source.dim(0) + ", C, frames, H, W), got " + driving.shapeString()
                    + "; animate each video with its own Animation");
        }
        if (driving.dim(3) != source.dim(3) || driving.dim(4) != source.dim(4)) {
            throw new MotionKernelsException("driving frames are " + driving.dim(3) + "x" + driving.dim(4)
                    + " but the source is " + source.dim(3) + "x" + source.dim(4) + "; resize them to the source's size");
        }
        io.motionkernels.tensor.Finite.requireInput("driving frames:", driving);
        checkRange("the driving frames", driving);
    }

    /**
     * Pictures are RGB in [0, 1]: a value outside (after the finite check) is almost always 8-bit
     * pixels passed as they are, which the model would turn into a plausible-looking wrong result.
     */
    static void checkRange(String what, Tensor t) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : t.data()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (min < 0f || max > 1f) {
            throw new MotionKernelsException(String.format(java.util.Locale.ROOT, "%s range from %s to %s, but"
                    + " pictures are RGB in [0, 1] (8-bit pixels: divide by 255)", what, min, max));
        }
    }

    static void checkGeneratorSize(ModelConfig c, Tensor source) {
        ModelConfig.GeneratorParams g = c.generator();
        requireMultiple(c, source, 1, g.numBlocks(), "generator");
        if (g.denseMotion() != null) {
            double s = g.denseMotion().scaleFactor() * g.denseMotion().maskEmbedding().scaleFactor();
            requireMultiple(c, source, s, g.denseMotion().numBlocks(), "dense-motion network");
        }
    }

    private static void requireMultiple(ModelConfig c, Tensor t, double scale, int blocks, String what) {
        int h = scaled(t.dim(3), scale);
        int w = scaled(t.dim(4), scale);
        if (h % (1 << blocks) != 0 || w % (1 << blocks) != 0 || h == 0 || w == 0) {
            throw new MotionKernelsException("source is " + t.dim(3) + "x" + t.dim(4) + " but the " + what + " of "
                    + c.name() + " needs a height and width that, scaled by " + scale + ", are multiples of "
                    + (1 << blocks) + " (its default size is " + c.defaultSize() + "x" + c.defaultSize() + ")");
        }
    }

    private static int scaled(int size, double s) {
        return (int) Math.floor(size * s);
    }
}
