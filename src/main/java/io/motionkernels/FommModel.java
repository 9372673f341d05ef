package io.motionkernels;

import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.cpu.CpuDevice;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.Executor;
import io.motionkernels.model.FommConfig;
import io.motionkernels.model.FommEngine;
import io.motionkernels.model.FommKeypoints;
import io.motionkernels.model.FommNormalization;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;

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

    private FommModel(FommEngine engine, Backend backend) {
        this.engine = engine;
        this.backend = backend;
    }

    /** A configuration (a file, or a published name such as {@code vox-256}) and a checkpoint. */
    public static FommModel load(String config, Path checkpoint, Backend backend) {
        return create(FommConfig.resolve(config), Checkpoints.load(checkpoint), backend, Precision.STRICT);
    }

    public static FommModel create(FommConfig config, Weights weights, Backend backend) {
        return create(config, weights, backend, Precision.STRICT);
    }

    /** Like {@link #create(FommConfig, Weights, Backend)}, with the GPU's precision (ignored on the CPU). */
    public static FommModel create(FommConfig config, Weights weights, Backend backend, Precision precision) {
        Backend resolved = Backends.resolve(backend);
        if (resolved != Backend.CUDA) {
            return new FommModel(FommEngine.create(config, weights, new CpuDevice(), Executor.Options.DEFAULT),
                    Backend.CPU);
        }
        Device gpu;
        try {
            gpu = Backends.openCuda(precision);
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("the model could not be set up on the GPU: " + e.getMessage(), e);
        }
        return new FommModel(FommEngine.create(config, weights, gpu, Executor.Options.DEFAULT), Backend.CUDA);
    }

    public FommConfig config() {
        return engine.config();
    }

    public Backend backend() {
        return backend;
    }

    /** The engine underneath, for intermediate results (reference cases). */
    public FommEngine engine() {
        return engine;
    }

    /** Keypoints of a batch of images (B, C, H, W). */
    public FommKeypoints detect(Tensor images) {
        return engine.detect(images);
    }

    /** Starts animating {@code source} (1, C, H, W); the first frame given becomes the initial one. */
    public Transfer transfer(Tensor source, FommConfig.Normalization normalization) {
        if (source.rank() != 4 || source.dim(0) != 1) {
            throw new IllegalArgumentException("the source must be one image (1, C, H, W), got " + source.shapeString());
        }
        return new Transfer(source, engine.detect(source), normalization);
    }

    /** One animation: the source's keypoints, the initial frame's, and the frames so far. */
    public final class Transfer {
        private final Tensor source;
        private final FommKeypoints kpSource;
        private final FommConfig.Normalization normalization;
        private FommKeypoints kpInitial;
        private Double scale;

        private Transfer(Tensor source, FommKeypoints kpSource, FommConfig.Normalization normalization) {
            this.source = source;
            this.kpSource = kpSource;
            this.normalization = normalization;
        }

        public FommKeypoints sourceKeypoints() {
            return kpSource;
        }

        /** The movement scale (1 without adapt_movement_scale); known after the first frame. */
        public Double movementScale() {
            return scale;
        }

        /** What {@link #next} computed for one driving frame. */
        public record Frame(Tensor prediction, FommKeypoints driving, FommKeypoints normalized) {
        }

        /** The animated frame (1, C, H, W) for driving frame (1, C, H, W), with its keypoints. */
        public Frame nextWithKeypoints(Tensor frame) {
            if (!frame.hasShape(source.shape())) {
                throw new IllegalArgumentException("driving frames must have the source's shape " + source.shapeString()
                        + ", got " + frame.shapeString());
            }
            FommKeypoints drv = engine.detect(frame);
            if (kpInitial == null) {
                kpInitial = drv;
                scale = normalization.adaptMovementScale() ? FommNormalization.movementScale(kpSource, kpInitial) : 1.0;
            }
            FommKeypoints norm = FommNormalization.normalize(kpSource, drv, kpInitial, normalization, scale);
            return new Frame(engine.generate(source, kpSource, norm), drv, norm);
        }

        public Tensor next(Tensor frame) {
            return nextWithKeypoints(frame).prediction();
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
