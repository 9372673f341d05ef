/**
 * motion-kernels: keypoint-based motion transfer (Monkey-Net) on the CPU and on NVIDIA GPUs.
 *
 * <p>The API is {@code io.motionkernels} ({@code MotionModel}, {@code PreparedSource},
 * {@code Animation}, {@code Backend}) with the types it speaks in: tensors and keypoints,
 * configurations, weights and checkpoints, media, and the reference-case judge. The engine, the
 * two devices, the model families' graphs and the command line are internals: not exported.
 */
module io.motionkernels {
    requires java.desktop;
    requires org.yaml.snakeyaml;
    requires com.fasterxml.jackson.core;
    // optional at run time: the Vector API convolution, the command line, the CUDA backend
    requires static jdk.incubator.vector;
    requires static info.picocli;
    requires static jcuda;
    requires static org.bytedeco.javacpp;
    requires static org.bytedeco.cuda;
    // optional: video through FFmpeg, the EXIF orientation of photos
    requires static org.bytedeco.ffmpeg;
    requires static metadata.extractor;

    exports io.motionkernels;
    exports io.motionkernels.tensor;
    exports io.motionkernels.model;
    exports io.motionkernels.checkpoint;
    exports io.motionkernels.media;
    exports io.motionkernels.conformance;

    opens io.motionkernels.cli to info.picocli;
}
