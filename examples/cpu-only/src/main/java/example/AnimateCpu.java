package example;

import io.motionkernels.Animation;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.media.FrameStream;
import io.motionkernels.media.Images;
import io.motionkernels.media.MediaReader;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's library example as an application of its own: animates a photo with the motion of a
 * GIF with the demo model bundled in the library, on the CPU, and writes the frames as PNG files.
 * Usage: {@code AnimateCpu SOURCE_IMAGE DRIVING_GIF OUT_FOLDER}.
 */
public final class AnimateCpu {
    public static void main(String[] args) throws IOException {
        Path out = Files.createDirectories(Path.of(args[2]));
        List<BufferedImage> frames = new ArrayList<>();
        try (MotionModel model = MotionModel.demo(MotionModel.Options.defaults());
             PreparedSource source = model.prepare(Images.read(Path.of(args[0]), 64));
             FrameStream driving = MediaReader.open(Path.of(args[1]), MediaReader.Options.of(64, 64))) {
            Animation animation = source.animate(ModelConfig.Normalization.ABSOLUTE); // the demo's shapes suit absolute
            for (Tensor frame = driving.next(); frame != null; frame = driving.next()) {  // (1, 3, 1, 64, 64) in [0, 1]
                frames.add(Images.toBufferedImage(animation.next(frame), 0));
            }
            System.out.println("animated " + frames.size() + " frames of " + args[1] + " on " + model.backend());
        }
        for (int i = 0; i < frames.size(); i++) {
            ImageIO.write(frames.get(i), "png", out.resolve(String.format("frame-%03d.png", i)).toFile());
        }
    }
}
