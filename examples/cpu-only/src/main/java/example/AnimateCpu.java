package example;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.DemoModel;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.media.MediaReader;
import io.motionkernels.media.MediaWriter;
import io.motionkernels.media.Video;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;

/**
 * Animates a photo with the motion of a GIF, on the CPU, with the demo model bundled in the
 * library. Usage: {@code AnimateCpu SOURCE_IMAGE DRIVING_GIF OUT_GIF}.
 */
public final class AnimateCpu {
    public static void main(String[] args) {
        Path sourceFile = Path.of(args[0]);
        Path drivingFile = Path.of(args[1]);
        Path out = Path.of(args[2]);

        ModelConfig config = ModelConfig.published(DemoModel.CONFIG);
        int size = config.defaultSize();
        // Strips of frames side by side (the shapes dataset's layout) give their first frame.
        Tensor sourceImage = MediaReader.readImage(sourceFile, size, size, MediaReader.Layout.AUTO).frames();
        Video driving = MediaReader.read(drivingFile, size, size);

        try (MotionModel model = MotionModel.create(config, DemoModel.weights(), Backend.AUTO);
             PreparedSource source = model.prepare(sourceImage)) {
            // One object per frame: the demo model suits absolute keypoints.
            Animation animation = source.animate(ModelConfig.Normalization.ABSOLUTE);
            Tensor animated = animation.next(driving.frames());
            MediaWriter.write(out, animated, driving.fpsOr(MediaWriter.DEFAULT_FPS));
            System.out.println("animated " + driving.frameCount() + " frames of " + drivingFile.getFileName()
                    + " on " + model.backend() + " into " + out);
        }
    }
}
