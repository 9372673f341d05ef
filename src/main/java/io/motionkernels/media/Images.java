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

    /**
     * A PNG or JPEG file as a frame, centre-cropped to a square (EXIF orientation applied).
     *
     * @param file an image file (for an animation or video, its first frame is read)
     * @param size the model's frame size in pixels (64 for the demo model)
     * @return the frame, (1, 3, 1, size, size), RGB in [0, 1]
     * @throws MediaException if the file is missing, unreadable, damaged or past the limits
     */
    public static Tensor read(Path file, int size) {
        return read(file, size, Fit.CROP);
    }

    /**
     * Like {@link #read(Path, int)} with another way to make the picture square.
     *
     * @param file an image file (for an animation or video, its first frame is read)
     * @param size the model's frame size in pixels
     * @param fit  how a picture that is not square is made so
     * @return the frame, (1, 3, 1, size, size), RGB in [0, 1]
     * @throws MediaException if the file is missing, unreadable, damaged or past the limits
     */
    public static Tensor read(Path file, int size, Fit fit) {
        return MediaReader.read(file, MediaReader.Options.of(size, size).withFit(fit)
                .withLayout(MediaReader.Layout.AUTO)).firstFrame();
    }

    /**
     * A picture as a frame, made square by {@code fit}.
     *
     * @param image the picture, of any {@code BufferedImage} type
     * @param size  the model's frame size in pixels
     * @param fit   how a picture that is not square is made so
     * @param notes hears what fitting changed, in a line (null: nobody)
     * @return the frame, (1, 3, 1, size, size), RGB in [0, 1]
     * @throws io.motionkernels.MotionKernelsException if the picture is empty
     */
    public static Tensor fromBufferedImage(BufferedImage image, int size, Fit fit, Consumer<String> notes) {
        if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
            throw new MotionKernelsException("the picture is empty");
        }
        int[] argb = Pixels.argb(image);
        return new Framer("picture", size, size, fit, notes).frame(argb, image.getWidth(), 0, 0, image.getWidth(),
                image.getHeight());
    }

    /**
     * Frame {@code d} of a video as an RGB picture.
     *
     * @param video frames (1, 3, D, H, W); values are clamped to [0, 1] and stored in 8 bits per channel
     * @param d     the frame, from 0
     * @return a W x H {@code TYPE_INT_RGB} picture
     * @throws io.motionkernels.MotionKernelsException if the shape is not (1, 3, D, H, W) or {@code d} is
     *         not in [0, D)
     */
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
