package io.motionkernels.cli;

import io.motionkernels.Backend;
import io.motionkernels.FommModel;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.Precision;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.cpu.CpuKernels;
import io.motionkernels.media.MediaReader;
import io.motionkernels.media.MediaWriter;
import io.motionkernels.media.Video;
import io.motionkernels.model.FommConfig;
import io.motionkernels.tensor.Frames;
import io.motionkernels.tensor.Tensor;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code animate} with a First Order Motion Model configuration: the source's and the first
 * driving frame's keypoints once, then detector, normalize_kp and generator for every frame, as
 * FOMM's demo.py does ({@code --relative} is its --relative, {@code --adapt-scale} its --adapt_scale).
 */
final class FommAnimate {
    private FommAnimate() {
    }

    static int run(AnimateCommand cmd, Backend requested, Precision precision, boolean sideBySide) {
        FommConfig cfg = FommConfig.resolve(cmd.config);
        if (cmd.checkpoint == null) {
            throw new MotionKernelsException("the First Order Motion Model configuration " + cfg.name()
                    + " has no bundled weights: pass --checkpoint (for example vox-cpk.pth.tar for vox-256)");
        }
        FommConfig.Normalization base = cfg.normalization();
        boolean relative = cmd.motion == null ? base.useRelativeMovement() : cmd.motion.relative;
        boolean relativeJacobian = cmd.motion == null ? base.useRelativeJacobian() && relative : cmd.motion.relative;
        if (!cfg.estimateJacobian()) {
            relativeJacobian = false; // FOMM would fail; without jacobians there is nothing to make relative
        }
        FommConfig.Normalization norm = new FommConfig.Normalization(cmd.adaptScale || (cmd.motion == null
                && base.adaptMovementScale()), relative, relativeJacobian);
        int res = cmd.size == null ? cfg.defaultSize() : cmd.size;
        cfg.checkSize(res, res); // before the weights are read and the video decoded
        PrintWriter err = cmd.spec.commandLine().getErr();
        Tensor src = MediaReader.readImage(cmd.source, res, res, MediaReader.Layout.AUTO).firstFrame();
        Video drv = MediaReader.readVideo(cmd.driving, res, res);
        int frames = cmd.maxFrames == null ? drv.frameCount() : Math.min(cmd.maxFrames, drv.frameCount());
        if (requested != Backend.CUDA && !CpuKernels.vectorConvolution()) {
            err.println("note: " + CpuKernels.describe());
        }
        try (FommModel model = FommModel.create(cfg, Checkpoints.load(cmd.checkpoint), requested, precision)) {
            long start = System.nanoTime();
            Tensor source = src.reshape(1, src.dim(1), res, res);
            FommModel.Transfer transfer = model.transfer(source, norm);
            Tensor result = Tensor.zeros(1, src.dim(1), frames, res, res);
            for (int f = 0; f < frames; f += cmd.batch) {
                int n = Math.min(cmd.batch, frames - f);
                Frames.copyInto(transfer.next(Frames.slice(drv.frames(), f, n)), result, f);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double outFps = cmd.fps != null ? cmd.fps : drv.fpsOr(MediaWriter.DEFAULT_FPS);
            cmd.writeResult(result, src, drv, frames, outFps, sideBySide);
            cmd.spec.commandLine().getOut().printf(Locale.ROOT,
                    "animated %d frames in %.2f s (%.1f frames/s) on %s with %s (First Order Motion Model), %s"
                            + " keypoints%s; wrote %s%n", frames, seconds, frames / seconds,
                    model.backend().name().toLowerCase(Locale.ROOT), cfg.name(), relative ? "relative" : "absolute",
                    norm.adaptMovementScale() ? String.format(Locale.ROOT, ", movement scale %.3f",
                            transfer.movementScale()) : "", cmd.out);
        }
        return 0;
    }
}
