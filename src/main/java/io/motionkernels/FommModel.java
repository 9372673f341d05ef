package io.motionkernels;

import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.cpu.Parallel;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.Executor;
import io.motionkernels.model.FommConfig;
import io.motionkernels.fomm.FommEngine;
import io.motionkernels.fomm.FommGraph;
import io.motionkernels.model.FommKeypoints;
import io.motionkernels.model.FommNormalization;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A First Order Motion Model (FOMM.md) ready to animate: its detector and generator on one
 * backend. {@link #transfer} animates a source image with the frames of a driving video, one
 * frame at a time, as FOMM's demo does.
 *
 * <pre>{@code
 * try (FommModel model = FommModel.load("vox-256", Path.of("vox-cpk.pth.tar"), Backend.CPU)) {
 *     FommModel.Transfer t = model.transfer(source, new FommConfig.Normalization(true, true, true));
 *     Tensor frame0 = t.next(driving0);
 * }
 * }</pre>
 */
public final class FommModel implements AutoCloseable {
    private final FommEngine engine;
    private final Backend backend;
    /** The model's own CPU threads (MotionModel.Options#withThreads), or null for the JVM's default team. */
    private final Parallel.Team pool;

    private FommModel(FommEngine engine, Backend backend, Parallel.Team pool) {
        this.engine = engine;
        this.backend = backend;
        this.pool = pool;
    }

    /**
     * Runs a call of the engine on this model's threads: the call runs on the calling thread, and
     * every kernel's {@code Parallel} split inside it on the model's team.
     */
    private <T> T onThreads(Supplier<T> call) {
        return ModelPool.call(pool, call);
    }

    /**
     * A configuration (a file, or a published name such as {@code vox-256}) and a checkpoint.
     *
     * @param config a configuration file or published name (see {@link FommConfig#resolve})
     * @param checkpoint the checkpoint file (e.g. FOMM's {@code vox-cpk.pth.tar})
     * @param backend the backend to run on
     * @return the model; close it when done
     * @throws io.motionkernels.model.ConfigException if the configuration cannot be resolved
     * @throws BackendUnavailableException if the model cannot be set up on the GPU
     */
    public static FommModel load(String config, Path checkpoint, Backend backend) {
        return create(FommConfig.resolve(config), Checkpoints.load(checkpoint),
                MotionModel.Options.defaults().withBackend(backend));
    }

    /**
     * A model from a configuration and loaded weights, with default options.
     *
     * @param config the configuration
     * @param weights the checkpoint's weights
     * @param backend the backend to run on
     * @return the model; close it when done
     * @throws BackendUnavailableException if the model cannot be set up on the GPU
     */
    public static FommModel create(FommConfig config, Weights weights, Backend backend) {
        return create(config, weights, MotionModel.Options.defaults().withBackend(backend));
    }

    /**
     * With the same options as a {@link MotionModel} (backend, GPU precision, GPU, and on the CPU
     * the thread count: 0 shares the JVM's default team, n runs every call on n threads of the
     * model's own).
     *
     * @param config the configuration
     * @param weights the checkpoint's weights
     * @param options backend, GPU precision, GPU index and CPU threads
     * @return the model; close it when done
     * @throws BackendUnavailableException if the model cannot be set up on the GPU
     */
    public static FommModel create(FommConfig config, Weights weights, MotionModel.Options options) {
        Backend resolved = Backends.resolve(options.backend());
        // -Dmotionkernels.debug=true: stop at the first layer that produces a NaN or an infinity
        Executor.Options run = Boolean.getBoolean("motionkernels.debug")
                ? new Executor.Options(false, false, true) : Executor.Options.DEFAULT;
        if (resolved != Backend.CUDA) {
            return new FommModel(FommEngine.create(config, weights, new CpuDevice(), run), Backend.CPU,
                    ModelPool.team(options.threads(), "motion-kernels-fomm"));
        }
        Device gpu;
        try {
            gpu = Backends.openCuda(options.precision(), options.cudaDevice());
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("the model could not be set up on GPU " + options.cudaDevice() + ": "
                    + e.getMessage(), e);
        }
        return new FommModel(FommEngine.create(config, weights, gpu, run), Backend.CUDA, null);
    }

    /**
     * The model's configuration.
     *
     * @return the configuration
     */
    public FommConfig config() {
        return engine.config();
    }

    /**
     * The backend the model runs on (CPU or CUDA, never a choice left open).
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * Keypoints of a batch of images (B, C, H, W) in [0, 1].
     *
     * @param images the images (B, C, H, W)
     * @return keypoints (B, K, 2) and jacobians (B, K, 2, 2) or null
     */
    public FommKeypoints detect(Tensor images) {
        return onThreads(() -> engine.detect(images));
    }

    /**
     * Starts animating {@code source} (1, C, H, W); the first frame given becomes the initial one.
     *
     * @param source the source image (1, C, H, W) in [0, 1]
     * @param normalization how driving keypoints are normalised
     * @return the animation; close it when done
     * @throws IllegalArgumentException if {@code source} is not a single image (1, C, H, W)
     */
    public Transfer transfer(Tensor source, FommConfig.Normalization normalization) {
        if (source.rank() != 4 || source.dim(0) != 1) {
            throw new IllegalArgumentException("the source must be one image (1, C, H, W), got " + source.shapeString());
        }
        FommKeypoints kp = onThreads(() -> engine.detect(source));
        return new Transfer(source, kp, onThreads(() -> engine.prepare(source)), normalization);
    }

    /**
     * One animation: the source prepared once (its keypoints and encoded features), the initial
     * frame's keypoints. Close it to free the prepared source (closing the model does too).
     */
    public final class Transfer implements AutoCloseable {
        private final Tensor source;
        private final FommKeypoints kpSource;
        private final FommEngine.Source prepared;
        private final FommConfig.Normalization normalization;
        private FommKeypoints kpInitial;
        private Double scale;

        private Transfer(Tensor source, FommKeypoints kpSource, FommEngine.Source prepared,
                         FommConfig.Normalization normalization) {
            this.source = source;
            this.kpSource = kpSource;
            this.prepared = prepared;
            this.normalization = normalization;
        }

        /**
         * The source image's keypoints.
         *
         * @return keypoints (1, K, 2) and jacobians (1, K, 2, 2) or null
         */
        public FommKeypoints sourceKeypoints() {
            return kpSource;
        }

        /**
         * The movement scale (1 without adapt_movement_scale); known after the first frame.
         *
         * @return the scale, or null before the first frame
         */
        public Double movementScale() {
            return scale;
        }

        /**
         * What {@link Transfer#next} computed for n driving frames: prediction (1, C, n, H, W), keypoints of batch n.
         *
         * @param prediction the animated frames (1, C, n, H, W) in [0, 1]
         * @param driving the driving frames' keypoints, batch n
         * @param normalized the normalised keypoints the generator used, batch n
         */
        public record Frames(Tensor prediction, FommKeypoints driving, FommKeypoints normalized) {
        }

        /**
         * The animated frames for driving frames (1, C, n, H, W), computed together (the result
         * does not depend on how a video is split); the first frame ever given is the initial one.
         *
         * @param video driving frames (1, C, n, H, W) in [0, 1], C, H and W those of the source
         * @return the prediction and the driving and normalised keypoints
         * @throws IllegalArgumentException if {@code video} is not (1, C, n, H, W)
         * @throws io.motionkernels.MotionKernelsException if the movement scale cannot be adapted
         *         (degenerate keypoint hull) or relative jacobians are asked without jacobians
         */
        public Frames nextWithKeypoints(Tensor video) {
            int c = source.dim(1), h = source.dim(2), w = source.dim(3);
            if (video.rank() != 5 || video.dim(0) != 1 || video.dim(1) != c || video.dim(3) != h || video.dim(4) != w) {
                throw new IllegalArgumentException("driving frames must be (1, " + c + ", n, " + h + ", " + w
                        + "), got " + video.shapeString());
            }
            int n = video.dim(2);
            int plane = h * w;
            Tensor images = Tensor.zeros(n, c, h, w);
            for (int f = 0; f < n; f++) {
                for (int ch = 0; ch < c; ch++) {
                    System.arraycopy(video.data(), (ch * n + f) * plane, images.data(), (f * c + ch) * plane, plane);
                }
            }
            FommKeypoints drv = onThreads(() -> engine.detect(images));
            if (kpInitial == null) {
                kpInitial = drv.item(0);
                scale = normalization.adaptMovementScale() ? FommNormalization.movementScale(kpSource, kpInitial) : 1.0;
            }
            FommKeypoints norm = FommNormalization.normalize(kpSource, drv, kpInitial, normalization, scale);
            FommKeypoints src = FommKeypoints.concat(java.util.Collections.nCopies(n, kpSource));
            Tensor out = onThreads(() -> engine.generate(prepared, src, norm, false)).get(FommGraph.PREDICTION);
            Tensor prediction = Tensor.zeros(1, c, n, h, w);
            for (int f = 0; f < n; f++) {
                for (int ch = 0; ch < c; ch++) {
                    System.arraycopy(out.data(), (f * c + ch) * plane, prediction.data(), (ch * n + f) * plane, plane);
                }
            }
            return new Frames(prediction, drv, norm);
        }

        /**
         * The animated frames (1, C, n, H, W) for driving frames (1, C, n, H, W).
         *
         * @param video driving frames (1, C, n, H, W) in [0, 1], C, H and W those of the source
         * @return the animated frames (1, C, n, H, W) in [0, 1]
         * @throws IllegalArgumentException if {@code video} is not (1, C, n, H, W)
         */
        public Tensor next(Tensor video) {
            return nextWithKeypoints(video).prediction();
        }

        @Override
        public void close() {
            prepared.close();
        }
    }

    @Override
    public void close() {
        engine.close();
        if (pool != null) {
            pool.close();
        }
    }
}
