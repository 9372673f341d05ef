package io.motionkernels.cli;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.DemoModel;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.MotionModel;
import io.motionkernels.Precision;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.CpuKernels;
import io.motionkernels.media.MediaReader;
import io.motionkernels.media.MediaWriter;
import io.motionkernels.media.Video;
import io.motionkernels.model.FommConfig;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Frames;
import io.motionkernels.tensor.Tensor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.Map;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "animate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Animates a source image with the motion of a driving video and writes the result.",
                "Without --config and --checkpoint it uses the bundled demo model (Monkey-Net's shapes"
                        + " configuration, trained on its shapes dataset)."},
        footer = {"", "Inputs: PNG or JPEG images, animated GIFs, Monkey-Net's strips of square frames side by side"
                + " (PNG/JPEG), or a folder of PNG/JPEG frames. A source that is a strip or a video gives its first frame.",
                "Outputs: .gif (animated) or .png (frames side by side; with --view side-by-side a grid of"
                        + " source, driving and result rows).",
                "", "Example:", "  java -jar motion-kernels.jar animate --source samples/shapes/00000001.png \\",
                "      --driving samples/shapes/00000005.png --out result.gif --absolute"})
public final class AnimateCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, paramLabel = "S", description = "the still image to animate")
    Path source;

    @Option(names = "--driving", required = true, paramLabel = "D", description = "the video whose motion is transferred")
    Path driving;

    @Option(names = "--out", required = true, paramLabel = "O", description = "output file: .gif, .png, or .safetensors (the exact float32 frames)")
    Path out;

    @Option(names = "--config", paramLabel = "C",
            description = "Monkey-Net or First Order Motion Model configuration YAML, or a published name (Monkey-Net:"
                    + " shapes, nemo, bair, taichi, actions, moving-gif, vox; FOMM: vox-256, vox-adv-256, taichi-256,"
                    + " taichi-adv-256, mgif-256, fashion-256, bair-256, nemo-256; the configuration selects the model)."
                    + " Default: the one a safetensors checkpoint names, else the demo's (shapes).")
    String config;

    @Option(names = "--checkpoint", paramLabel = "K",
            description = "weights: a torch.save checkpoint (.pth, .pth.tar, legacy or zip) or safetensors."
                    + " Default: the bundled demo weights (shapes configuration only).")
    Path checkpoint;

    @ArgGroup(exclusive = true)
    Motion motion;

    static final class Motion {
        @Option(names = "--relative", description = "move the source keypoints by the driving motion (Monkey-Net's"
                + " move_location; FOMM: relative movement and relative jacobians, as its demo's --relative)")
        boolean relative;
        @Option(names = "--absolute", description = "use the driving keypoints as detected")
        boolean absolute;
    }

    @Option(names = "--adapt-scale", description = "First Order Motion Model only: scale the movement by the ratio of the"
            + " source's and the first driving frame's keypoint hull areas (its demo's --adapt_scale)")
    boolean adaptScale;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "B",
            description = "auto, cpu or cuda (default: ${DEFAULT-VALUE}, which is the CPU until the CUDA path has been"
                    + " verified on a GPU; `info` shows what this machine can use)")
    String backend;

    @Option(names = "--precision", defaultValue = "strict", paramLabel = "P",
            description = "GPU arithmetic: strict (float32, TF32 off) or fast (TF32 where the error bounds allow)"
                    + " (default: ${DEFAULT-VALUE}; the CPU always computes in float32)")
    String precision;

    @Option(names = "--size", paramLabel = "N",
            description = "frame height and width the model runs at (default: the configuration's, 64 for shapes)")
    Integer size;

    @Option(names = "--view", defaultValue = "result", paramLabel = "V",
            description = "result, or side-by-side (source | driving | result) (default: ${DEFAULT-VALUE})")
    String view;

    @Option(names = "--frames", paramLabel = "N", description = "animate only the first N driving frames")
    Integer maxFrames;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "driving frames computed together (default: ${DEFAULT-VALUE}); results do not depend on it")
    int batch;

    @Option(names = "--fps", paramLabel = "F", description = "output frame rate (default: the driving video's, else 10)")
    Double fps;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        boolean sideBySide = switch (view) {
            case "result" -> false;
            case "side-by-side" -> true;
            default -> throw new MotionKernelsException("--view must be result or side-by-side, got '" + view + "'");
        };
        if (batch < 1 || (maxFrames != null && maxFrames < 1) || (size != null && size < 1)
                || (fps != null && !(fps > 0))) {
            throw new MotionKernelsException("--batch, --frames, --size and --fps must be positive");
        }
        if (out.getFileName() == null) {
            throw new MotionKernelsException("--out " + out + " is a folder: give a file name ending in .gif, .png or"
                    + " .safetensors");
        }
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            MediaWriter.checkOutputPath(out);
        } else if (out.toAbsolutePath().getParent() == null || !Files.isDirectory(out.toAbsolutePath().getParent())) {
            throw new MotionKernelsException("cannot write " + out + ": its folder does not exist");
        } else if (!Files.isWritable(out.toAbsolutePath().getParent()) || Files.isDirectory(out)) {
            throw new MotionKernelsException("cannot write " + out + ": " + (Files.isDirectory(out) ? "it is a folder"
                    : "its folder is not writable") + "; choose another output path");
        }
        Backend requested = Backend.parse(backend);
        Precision.parse(precision);
        if (config != null && FommConfig.names(config)) {
            return FommAnimate.run(this, requested, Precision.parse(precision), sideBySide);
        }
        if (adaptScale) {
            throw new MotionKernelsException("--adapt-scale applies to First Order Motion Model configurations only"
                    + " (--config vox-256, ...); Monkey-Net's relative motion has no movement scale");
        }
        ModelConfig cfg = resolveConfig();
        Weights weights = checkpoint == null ? DemoModel.weights() : Checkpoints.load(checkpoint);
        ModelConfig.Normalization norm = motion == null ? cfg.normalization()
                : motion.absolute ? ModelConfig.Normalization.ABSOLUTE : ModelConfig.Normalization.RELATIVE;
        int res = size == null ? cfg.defaultSize() : size;
        Tensor src = MediaReader.readImage(source, res, res, MediaReader.Layout.AUTO).firstFrame();
        Video drv = MediaReader.readVideo(driving, res, res);
        int frames = maxFrames == null ? drv.frameCount() : Math.min(maxFrames, drv.frameCount());
        PrintWriter err = spec.commandLine().getErr();
        if (requested != Backend.CUDA && !CpuKernels.vectorConvolution()) {
            err.println("note: " + CpuKernels.describe());
        }
        try (MotionModel model = MotionModel.create(cfg, weights, requested, Precision.parse(precision));
             PreparedSource prepared = model.prepare(src)) {
            long start = System.nanoTime();
            Animation animation = prepared.animate(norm);
            Tensor result = Tensor.zeros(1, src.dim(1), frames, res, res);
            Progress progress = new Progress(err, frames, System.console() != null);
            for (int f = 0; f < frames; f += batch) {
                int n = Math.min(batch, frames - f);
                Frames.copyInto(animation.next(Frames.slice(drv.frames(), f, n)), result, f);
                progress.update(f + n);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            progress.done();
            double outFps = fps != null ? fps : drv.fpsOr(MediaWriter.DEFAULT_FPS);
            writeResult(result, src, drv, frames, outFps, sideBySide);
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "animated %d frames in %.2f s (%.1f frames/s) on %s with %s, %s keypoints; wrote %s%n",
                    frames, seconds, frames / seconds, model.backend().name().toLowerCase(Locale.ROOT), cfg.name(),
                    norm.moveLocation() ? "relative" : "absolute", out);
        }
        return 0;
    }

    /** Writes the animated frames (1, C, T, H, W) in the format the output file's name asks for. */
    void writeResult(Tensor result, Tensor src, Video drv, int frames, double outFps, boolean sideBySide) {
        io.motionkernels.tensor.Finite.requireResult(result);
        if (out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            writeTensor(out, result, outFps);
        } else if (sideBySide) {
            MediaWriter.writeSideBySide(out, src, Frames.slice(drv.frames(), 0, frames), result, outFps);
        } else {
            MediaWriter.write(out, result, outFps);
        }
    }

    private ModelConfig resolveConfig() {
        if (config != null) {
            return ModelConfig.resolve(config);
        }
        if (checkpoint == null) {
            return ModelConfig.published(DemoModel.CONFIG);
        }
        String name = Checkpoints.detect(checkpoint) == Checkpoints.Format.SAFETENSORS
                ? Safetensors.read(checkpoint).metadata().get("config_name") : null;
        if (name == null) {
            throw new MotionKernelsException(checkpoint + " does not say which configuration it belongs to:"
                    + " pass --config (a YAML file or one of " + String.join(", ", ModelConfig.PUBLISHED) + ")");
        }
        return ModelConfig.published(name);
    }

    /** The exact float32 result, for comparisons: written whole or not at all. */
    private static void writeTensor(Path out, Tensor result, double fps) {
        Safetensors.writeAtomically(out, Map.of("video_prediction", result), Map.of("fps", Double.toString(fps)));
    }

    /** A one-line progress bar, drawn only on a terminal. */
    private record Progress(PrintWriter err, int total, boolean enabled) {
        void update(int done) {
            if (!enabled) {
                return;
            }
            int width = 30;
            int filled = total == 0 ? width : done * width / total;
            err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + " frames");
            err.flush();
        }

        void done() {
            if (enabled) {
                err.println();
            }
        }
    }
}
