package io.motionkernels.cli;

import io.motionkernels.MotionKernelsException;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "animate", mixinStandardHelpOptions = true,
        description = "Animates a source image with the motion of a driving video.")
public final class AnimateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new MotionKernelsException("animate is not available yet");
    }
}
