package io.motionkernels.media;

import io.motionkernels.MotionKernelsException;
import io.motionkernels.tensor.Tensor;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Pictures as the model takes them and gives them back: a file or a {@code BufferedImage} made into
 * a source frame (1, 3, 1, size, size), RGB in [0, 1], with the command line's fit rules, and a
 * frame made back into a {@code BufferedImage}.
 */
public final class Images {
    private Images() {
    }

    /** A PNG or JPEG file as a (1, 3, 1, size, size) frame, centre-cropped to a square (EXIF orientation applied). */
    public static Tensor read(Path file, int size) {
        return read(file, size, Fit.CROP);
    }

    /** Like {@link #read(Path, int)} with another way to make the picture square. */
    public static Tensor read(Path file, int size, Fit fit) {
        return MediaReader.read(file, MediaReader.Options.of(size, size).withFit(fit)
                .withLayout(MediaReader.Layout.AUTO)).firstFrame();
    }

    /** A picture as a (1, 3, 1, size, size) frame, made square by {@code fit}; notes (may be null) hear what fitting changed. */
    public static Tensor fromBufferedImage(BufferedImage image, int size, Fit fit, Consumer<String> notes) {
        if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
            throw new MotionKernelsException("the picture is empty");
        }
        int[] argb = Pixels.argb(image);
        return new Framer("picture", size, size, fit, notes).frame(argb, image.getWidth(), 0, 0, image.getWidth(),
                image.getHeight());
    }

    /** Frame {@code d} of a (1, 3, D, H, W) tensor as an RGB picture (values clamped to [0, 1], 8 bits per channel). */
    public static BufferedImage toBufferedImage(Tensor video, int d) {
        if (video.rank() != 5 || video.dim(0) != 1 || video.dim(1) != 3 || d < 0 || d >= video.dim(2)) {
            throw new MotionKernelsException("expected frame " + d + " of a (1, 3, D, H, W) video, got "
                    + video.shapeString());
        }
        int h = video.dim(3);
        int w = video.dim(4);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, Pixels.rgb8(video, d), 0, w);
        return img;
    }
}
