package io.motionkernels;

import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.StateDict;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The demo model bundled in the jar: Monkey-Net's shapes configuration with weights trained for 9
 * epochs on its shapes dataset, so that {@code animate} works on a fresh machine with nothing to
 * download.
 */
public final class DemoModel {
    /**
     * The name of the demo's published configuration, for {@link io.motionkernels.model.ModelConfig#published}.
     */
    public static final String CONFIG = "shapes";
    private static final String RESOURCE = "/io/motionkernels/demo/shapes.safetensors";

    private DemoModel() {
    }

    /**
     * Reads the bundled weights.
     *
     * @return the trained weights of the {@link #CONFIG} configuration
     * @throws MotionKernelsException if the weights are missing from this build or cannot be read
     */
    public static StateDict weights() {
        try (InputStream in = DemoModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new MotionKernelsException("the demo weights are missing from this build; load a checkpoint instead");
            }
            Path tmp = Files.createTempFile("motion-kernels-demo", ".safetensors");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                StateDict sd = Checkpoints.load(tmp);
                return new StateDict("the bundled shapes weights", sd.tensors());
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new MotionKernelsException("cannot unpack the bundled demo weights: " + e.getMessage(), e);
        }
    }
}
