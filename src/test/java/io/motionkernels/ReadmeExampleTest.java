package io.motionkernels;

import io.motionkernels.media.FrameStream;
import io.motionkernels.media.Images;
import io.motionkernels.media.MediaReader;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's library example is this class's code, so it compiles and runs; the README must show it as it is. */
class ReadmeExampleTest {
    static List<BufferedImage> animate() {
        List<BufferedImage> frames = new ArrayList<>();
        // README: begin
        try (MotionModel model = MotionModel.demo(MotionModel.Options.defaults());
             PreparedSource source = model.prepare(Images.read(Path.of("samples/shapes/00000001.png"), 64));
             FrameStream driving = MediaReader.open(Path.of("samples/shapes/00000010.gif"), MediaReader.Options.of(64, 64))) {
            Animation animation = source.animate(ModelConfig.Normalization.ABSOLUTE); // the demo's shapes suit absolute
            for (Tensor frame = driving.next(); frame != null; frame = driving.next()) {  // (1, 3, 1, 64, 64) in [0, 1]
                frames.add(Images.toBufferedImage(animation.next(frame), 0));
            }
        }
        // README: end
        return frames;
    }

    @Test
    void theExampleRunsOnAPhotoAndAGif() {
        List<BufferedImage> frames = animate();
        assertTrue(frames.size() > 1, "frames: " + frames.size());
        assertEquals(64, frames.get(0).getWidth());
    }

    @Test
    void theReadmeShowsTheExampleAsItIs() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String code = Files.readString(Path.of("src/test/java/io/motionkernels/ReadmeExampleTest.java"));
        String example = code.substring(code.indexOf("// README: begin\n") + 17, code.indexOf("        // README: end"));
        String unindented = example.replaceAll("(?m)^ {8}", "");
        assertTrue(readme.contains(unindented), "README.md must contain the example of ReadmeExampleTest:\n" + unindented);
    }

    @Test
    void eightBitPixelsAreRefusedWithAHint() {
        try (MotionModel model = MotionModel.demo(MotionModel.Options.defaults().withBackend(Backend.CPU))) {
            Tensor bytes = Tensor.filled(7f, 1, 3, 1, 64, 64);
            MotionKernelsException e = assertThrows(MotionKernelsException.class, () -> model.prepare(bytes));
            assertTrue(e.getMessage().contains("[0, 1]") && e.getMessage().contains("255"), e.getMessage());
        }
    }
}
