package io.motionkernels.cli;

import io.motionkernels.Backend;
import io.motionkernels.DemoModel;
import io.motionkernels.MotionKernelsException;
import io.motionkernels.FommModel;
import io.motionkernels.MotionModel;
import io.motionkernels.Precision;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.CpuKernels;
import io.motionkernels.media.Fit;
import io.motionkernels.media.FrameSink;
import io.motionkernels.media.FrameStream;
import io.motionkernels.media.MediaLimits;
import io.motionkernels.media.MediaReader;
import io.motionkernels.media.MediaWriter;
import io.motionkernels.model.FommConfig;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Frames;
import io.motionkernels.tensor.Tensor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

@Command(name = "animate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Animates a source image with the motion of a driving video and writes the result.",
                "Without --config and --checkpoint it uses the bundled demo model (Monkey-Net's shapes"
                        + " configuration, trained on its shapes dataset)."},
        footer = {"", "Inputs: videos (mp4, mov, webm, mkv, ... through FFmpeg), animated GIFs, PNG or JPEG images,"
                + " or a folder of PNG/JPEG frames. A source that is a video gives its first frame. A PNG/JPEG is one"
                + " frame unless --driving-layout strip says it holds square frames side by side (strips written by"
                + " this tool say so themselves).",
                "Outputs: .mp4 (H.264, with the driving video's sound), .gif (animated), .png (frames side by side;"
                        + " with --view side-by-side a grid of source, driving and result rows), .safetensors.",
                "", "Examples:", "  java -jar motion-kernels.jar animate --source samples/shapes/00000001.png \\",
                "      --driving samples/shapes/00000005.png --out result.gif",
                "  java -jar motion-kernels.jar animate --config vox --checkpoint vox.pth.tar \\",
                "      --source photo.jpg --driving talking.mp4 --out result.mp4 --view side-by-side"})
public final class AnimateCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, paramLabel = "S", description = "the still image to animate")
    Path source;

    @Option(names = "--driving", required = true, paramLabel = "D", description = "the video whose motion is transferred")
    Path driving;

    @Option(names = "--out", required = true, paramLabel = "O", description = "output file: .mp4, .gif, .png, or .safetensors (the exact float32 frames)")
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
            description = "frame height and width the model runs at: a size its networks divide, a multiple of 32 for the"
                    + " published configurations (default: the configuration's, 64 for shapes)")
    Integer size;

    @Option(names = "--view", defaultValue = "result", paramLabel = "V",
            description = "result, or side-by-side (source | driving | result) (default: ${DEFAULT-VALUE})")
    String view;

    @Option(names = "--frames", paramLabel = "N", description = "animate only the first N driving frames")
    Integer maxFrames;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "driving frames computed together (default: ${DEFAULT-VALUE}); results do not depend on it")
    int batch;

    @Option(names = "--fps", paramLabel = "F", description = "output frame rate (default: the driving video's, else 10;"
            + " a GIF at most 50, the fastest players show)")
    Double fps;

    @Option(names = "--fit", defaultValue = "crop", paramLabel = "F",
            description = "how pictures of other proportions than the model's frame fit it: crop (the centre),"
                    + " pad (black borders) or stretch (default: ${DEFAULT-VALUE}; a note says when it changes a picture)")
    String fit;

    @Option(names = "--driving-layout", defaultValue = "auto", paramLabel = "L",
            description = "auto (a PNG/JPEG image is one frame, unless it is a strip this tool wrote) or strip (square"
                    + " frames side by side, as in Monkey-Net's datasets) (default: ${DEFAULT-VALUE})")
    String drivingLayout;

    @Option(names = "--no-audio", description = "leave the driving video's sound out of an .mp4 output")
    boolean noAudio;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "the largest picture (frame, image, GIF screen) read, in pixels (default: 7680x4320 = 33177600);"
                    + " a limit against damaged and hostile files")
    Long maxPixels;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "CPU threads for the model (default: 0, every core)")
    int threads;

    @Option(names = "--debug", description = "check every layer's output and name the first one that produces a NaN"
            + " or an infinity (slow; for a checkpoint or input that makes the model diverge)")
    boolean debug;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        MediaWriter.View view = switch (this.view) {
            case "result" -> MediaWriter.View.RESULT;
            case "side-by-side" -> MediaWriter.View.SIDE_BY_SIDE;
            default -> throw new MotionKernelsException("--view must be result or side-by-side, got '" + this.view + "'");
        };
        if (batch < 1 || (maxFrames != null && maxFrames < 1) || (fps != null && !(fps > 0 && fps < 1e6))
                || (maxPixels != null && maxPixels < 1)) {
            throw new MotionKernelsException("--batch, --frames, --fps and --max-pixels must be positive numbers");
        }
        Fit fitting = Fit.parse(fit);
        MediaReader.Layout layout = switch (drivingLayout) {
            case "auto" -> MediaReader.Layout.AUTO;
            case "strip" -> MediaReader.Layout.STRIP;
            default -> throw new MotionKernelsException("--driving-layout must be auto or strip, got '" + drivingLayout + "'");
        };
        boolean tensorOut = checkOutput();
        boolean gif = out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gif");
        if (gif && fps != null && fps > MediaWriter.MAX_GIF_FPS) {
            throw new MotionKernelsException(String.format(Locale.ROOT, "--fps %s is faster than GIF players show:"
                    + " frame delays below 20 ms are played at 100 ms, so a GIF can run at most at %.0f fps; use"
                    + " --fps %.0f or less, or write .mp4", fps, MediaWriter.MAX_GIF_FPS, MediaWriter.MAX_GIF_FPS));
        }
        Backend requested = Backend.parse(backend);
        Precision.parse(precision);
        // the configuration selects the model family
        FommConfig fomm = config != null && FommConfig.names(config) ? FommConfig.resolve(config) : null;
        if (fomm == null && adaptScale) {
            throw new MotionKernelsException("--adapt-scale applies to First Order Motion Model configurations only"
                    + " (--config vox-256, ...); Monkey-Net's relative motion has no movement scale");
        }
        if (fomm != null && checkpoint == null) {
            throw new MotionKernelsException("the First Order Motion Model configuration " + fomm.name()
                    + " has no bundled weights: pass --checkpoint (for example vox-cpk.pth.tar for vox-256)");
        }
        ModelConfig cfg = fomm == null ? resolveConfig() : null;
        int res = size == null ? (fomm != null ? fomm.defaultSize() : cfg.defaultSize()) : size;
        if (fomm != null) {
            fomm.checkSize(res, res);
        } else {
            Sizes.check(cfg, res);
        }
        Weights weights = checkpoint == null ? DemoModel.weights() : Checkpoints.load(checkpoint);
        // The bundled demo (one shape per frame) suits absolute keypoints; a checkpoint's
        // configuration says what suits it.
        ModelConfig.Normalization norm = fomm != null ? null : motion != null
                ? (motion.absolute ? ModelConfig.Normalization.ABSOLUTE : ModelConfig.Normalization.RELATIVE)
                : checkpoint == null ? ModelConfig.Normalization.ABSOLUTE : cfg.normalization();
        PrintWriter err = spec.commandLine().getErr();
        Set<String> said = new HashSet<>();
        Consumer<String> note = n -> {
            synchronized (said) {
                if (said.add(n)) {
                    err.println("note: " + n);
                    err.flush();
                }
            }
        };
        MediaLimits limits = maxPixels == null ? MediaLimits.DEFAULT : MediaLimits.DEFAULT.withMaxPixels(maxPixels);
        MediaReader.Options reading = new MediaReader.Options("source " + source, res, res, fitting,
                MediaReader.Layout.AUTO, 1, limits, note);
        Tensor src = MediaReader.read(source, reading).firstFrame();
        long limit = maxFrames == null ? Long.MAX_VALUE : maxFrames;
        try (FrameStream drv = MediaReader.open(driving, reading.withLayout(layout).withMaxFrames(limit)
                .withNotes("driving video " + driving, note))) {
            long expected = drv.declaredFrames() < 0 ? -1 : Math.min(drv.declaredFrames(), limit);
            if (!tensorOut && !MediaWriter.isVideo(out) && expected > 0
                    && MediaWriter.heldBytes(expected, res, res, view) > limits.maxHeldBytes()) {
                throw MediaWriter.tooMany(out, limits, expected);
            }
            if (requested != Backend.CUDA && !CpuKernels.vectorConvolution()) {
                err.println("note: " + CpuKernels.describe());
            }
            double outFps = fps != null ? fps : Double.isNaN(drv.fps()) ? MediaWriter.DEFAULT_FPS : drv.fps();
            MediaWriter.Output output = new MediaWriter.Output(outFps, view, src, noAudio ? null : driving, expected,
                    limits, note);
            if (debug) {
                System.setProperty("motionkernels.debug", "true");
            }
            if (fomm != null) {
                animateFomm(fomm, weights, requested, src, drv, () -> sink(tensorOut, outFps, output), err, expected, view);
                return 0;
            }
            try (MotionModel model = MotionModel.create(cfg, weights, MotionModel.Options.defaults()
                    .withBackend(requested).withPrecision(Precision.parse(precision)).withThreads(threads));
                 PreparedSource prepared = model.prepare(src);
                 FrameSink sink = tensorOut ? new TensorSink(out, outFps) : MediaWriter.open(out, output)) {
                Pipeline.Result r = new Pipeline(drv, prepared.animate(norm)::next, sink, batch, view,
                        new Progress(err, expected, System.console() != null)).run();
                spec.commandLine().getOut().printf(Locale.ROOT,
                        "animated %d frame%s in %.2f s (%.1f frames/s) on %s with %s, %s keypoints; model %.2f s,"
                                + " reading %.2f s and writing %.2f s beside it; wrote %s%n",
                        r.frames(), r.frames() == 1 ? "" : "s", r.seconds(), r.frames() / r.seconds(),
                        model.backend().name().toLowerCase(Locale.ROOT), cfg.name(),
                        norm.moveLocation() ? "relative" : "absolute", r.modelSeconds(), r.readSeconds(),
                        r.writeSeconds(), out);
            }
        }
        return 0;
    }

    private FrameSink sink(boolean tensorOut, double outFps, MediaWriter.Output output) {
        return tensorOut ? new TensorSink(out, outFps) : MediaWriter.open(out, output);
    }

    /**
     * First Order Motion Model: the source's and the first driving frame's keypoints once, then the
     * detector, normalize_kp and the generator for every frame, as FOMM's demo.py does.
     */
    private void animateFomm(FommConfig cfg, Weights weights, Backend requested, Tensor src, FrameStream drv,
                             java.util.function.Supplier<FrameSink> sinkToOpen, PrintWriter err, long expected,
                             MediaWriter.View view) {
        FommConfig.Normalization base = cfg.normalization();
        boolean relative = motion == null ? base.useRelativeMovement() : motion.relative;
        boolean relativeJacobian = cfg.estimateJacobian()
                && (motion == null ? base.useRelativeJacobian() && relative : motion.relative);
        FommConfig.Normalization norm = new FommConfig.Normalization(adaptScale || (motion == null
                && base.adaptMovementScale()), relative, relativeJacobian);
        try (FommModel model = FommModel.create(cfg, weights, MotionModel.Options.defaults()
                     .withBackend(requested).withPrecision(Precision.parse(precision)));
             FommModel.Transfer transfer = model.transfer(src.reshape(1, src.dim(1), src.dim(3), src.dim(4)), norm);
             FrameSink sink = sinkToOpen.get()) {
            Pipeline.Result r = new Pipeline(drv, transfer::next, sink, batch, view,
                    new Progress(err, expected, System.console() != null)).run();
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "animated %d frame%s in %.2f s (%.1f frames/s) on %s with %s (First Order Motion Model), %s"
                            + " keypoints%s; model %.2f s, reading %.2f s and writing %.2f s beside it; wrote %s%n",
                    r.frames(), r.frames() == 1 ? "" : "s", r.seconds(), r.frames() / r.seconds(),
                    model.backend().name().toLowerCase(Locale.ROOT), cfg.name(), relative ? "relative" : "absolute",
                    norm.adaptMovementScale() ? String.format(Locale.ROOT, ", movement scale %.3f",
                            transfer.movementScale()) : "", r.modelSeconds(), r.readSeconds(), r.writeSeconds(), out);
        }
    }

    /** Refuses outputs that cannot be written or would overwrite an input; true for .safetensors. */
    private boolean checkOutput() {
        if (out.getFileName() == null || Files.isDirectory(out)) {
            throw new MotionKernelsException("--out " + out + " is a folder: give a file name ending in .mp4, .gif,"
                    + " .png or .safetensors");
        }
        for (Path input : new Path[] {source, driving, checkpoint, config == null ? null : Path.of(config)}) {
            if (input != null && same(out, input)) {
                throw new MotionKernelsException("--out " + out + " is also an input (" + input + "): writing it would"
                        + " destroy that input; choose another output path");
            }
        }
        boolean tensorOut = out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
        if (!tensorOut) {
            MediaWriter.checkOutputPath(out);
        } else if (out.toAbsolutePath().getParent() == null || !Files.isDirectory(out.toAbsolutePath().getParent())) {
            throw new MotionKernelsException("cannot write " + out + ": its folder does not exist");
        } else if (!Files.isWritable(out.toAbsolutePath().getParent())) {
            throw new MotionKernelsException("cannot write " + out + ": its folder is not writable; choose another"
                    + " output path");
        }
        return tensorOut;
    }

    private static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException | SecurityException e) {
            // fall back to comparing the names
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** Every FOMM checkpoint has it (the keypoint detector's keypoint head); no Monkey-Net one does. */
    private static final String FOMM_ONLY_TENSOR = "kp_detector.kp.weight";

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
            // a torch.save file names no configuration; its tensor names at least tell the family
            boolean fomm = Checkpoints.load(checkpoint).tensors().containsKey(FOMM_ONLY_TENSOR);
            throw new MotionKernelsException(checkpoint + (fomm ? " is a First Order Motion Model checkpoint and" : "")
                    + " does not say which configuration it belongs to: pass --config (a YAML file or one of "
                    + String.join(", ", fomm ? FommConfig.PUBLISHED : ModelConfig.PUBLISHED)
                    + (fomm ? "; vox-cpk.pth.tar is vox-256, vox-adv-cpk.pth.tar vox-adv-256)" : ")"));
        }
        return ModelConfig.published(name);
    }

    /** The exact float32 result, for comparisons: written whole or not at all. */
    private static final class TensorSink implements FrameSink {
        private final Path out;
        private final double fps;
        private final List<Tensor> chunks = new ArrayList<>();
        private long frames;

        TensorSink(Path out, double fps) {
            this.out = out;
            this.fps = fps;
        }

        @Override
        public void write(Tensor driving, Tensor result) {
            chunks.add(result);
            frames += result.dim(2);
        }

        @Override
        public void finish() {
            Tensor first = chunks.get(0);
            Tensor result = Tensor.zeros(1, first.dim(1), Math.toIntExact(frames), first.dim(3), first.dim(4));
            int at = 0;
            for (Tensor c : chunks) {
                Frames.copyInto(c, result, at);
                at += c.dim(2);
            }
            Safetensors.writeAtomically(out, Map.of("video_prediction", result), Map.of("fps", Double.toString(fps)));
        }

        @Override
        public long frames() {
            return frames;
        }

        @Override
        public void close() {
            chunks.clear();
        }
    }

    /** A one-line progress bar, drawn only on a terminal. */
    record Progress(PrintWriter err, long total, boolean enabled) {
        void update(long done) {
            if (!enabled) {
                return;
            }
            if (total <= 0) {
                err.print("\r" + done + " frames");
            } else {
                int width = 30;
                int filled = (int) Math.min(width, done * width / total);
                err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + " frames");
            }
            err.flush();
        }

        void done() {
            if (enabled) {
                err.println();
            }
        }
    }
}
