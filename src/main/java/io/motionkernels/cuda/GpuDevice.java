package io.motionkernels.cuda;

import io.motionkernels.cpu.Activation;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.tensor.KpVariance;

/**
 * What the GPU model executor ({@link GpuModel}) needs from a device: memory, copies, cuDNN-style
 * convolutions, a strided copy, and the kernels of {@code kernels/*.cu} with {@link CudaOps}'s
 * parameter lists and semantics (on {@link GpuView}s; {@code null} for an absent optional buffer).
 * Work is queued in order on one stream; {@link #download} waits for it.
 *
 * <p>Two implementations: {@link CudnnDevice} (JCuda kernels + cuDNN 9 on a real GPU) and
 * {@link HostDevice} (the same semantics on heap arrays, so that the executor's graph wiring,
 * layouts and memory plans are tested on machines without a GPU). Every call that takes a view
 * is one "step" for the memory planner's lifetimes ({@link Pass}).
 */
public interface GpuDevice extends AutoCloseable {
    /** Device memory owned by the caller. */
    interface Buffer extends AutoCloseable {
        GpuView view();

        @Override
        void close();
    }

    /** A convolution whose weights and descriptors live on the device; closed by its owner. */
    interface Conv extends AutoCloseable {
        ConvSpec spec();

        @Override
        void close();
    }

    /** A captured sequence of device work that can be replayed (a CUDA graph). */
    interface Graph extends AutoCloseable {
        void launch();

        @Override
        void close();
    }

    /** Binds the device to the calling thread (a CUDA context is per thread); cheap, call on every entry. */
    void bindThread();

    Buffer allocate(long floats);

    /** Synchronous host-to-device copy of all of {@code host} to the start of {@code dst}. */
    void upload(float[] host, GpuView dst);

    /** Waits for the queued work, then copies the first {@code host.length} floats of {@code src}. */
    void download(GpuView src, float[] host);

    /** Sets every value of {@code dst} (queued). */
    void fill(GpuView dst, float value);

    void synchronize();

    /** Uploads a convolution's weights and prepares its descriptors. */
    Conv prepareConv(ConvSpec spec);

    /**
     * Workspace (floats) that {@link #conv} will need on an (n, cin, h, w) input, choosing (and
     * caching) the algorithm for that shape. {@code residual} says whether a residual is added.
     */
    long convWorkspaceFloats(Conv conv, int n, int h, int w, boolean residual);

    /**
     * y (n, cout, h, w) = act(conv(x (n, cin, h, w)) + bias [+ residual (n, cout, h, w)]), NCHW,
     * using {@code workspace} (at least {@link #convWorkspaceFloats} floats).
     */
    void conv(Conv conv, GpuView x, int n, int h, int w, GpuView residual, GpuView y, GpuView workspace);

    /**
     * Strided 4-D copy: dst[i0, i1, i2, i3] = src[i0, i1, i2, i3] with the given element strides
     * (cudnnTransformTensor): transpositions and writes into channel slices.
     */
    void copyStrided(GpuView src, int[] dims, long[] srcStrides, GpuView dst, long[] dstStrides);

    /** Captures the device work {@code work} queues (no uploads or downloads inside) for replay. */
    Graph capture(Runnable work);

    // ---- the kernels (see CudaOps for each one's contract) ----

    void interpolateNearest(GpuView in, int nc, int di, int hi, int wi, int od, int ho, int wo, float sd, float sh,
                            float sw, GpuView out);

    void interpolateTrilinear(GpuView in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd, float rh,
                              float rw, GpuView out);

    void avgPool2x2(GpuView in, long planes, int h, int w, GpuView out);

    void channelAffine(GpuView in, GpuView scale, GpuView shift, int b, int c, long inner, Activation act,
                       int outChannels, int outOffset, GpuView out);

    void addAct(GpuView a, GpuView b, long n, Activation act, GpuView out);

    void channelsLastToFirst(GpuView in, int b, long inner, int c, GpuView out);

    void channelsFirstToLast(GpuView in, int b, long inner, int c, GpuView out);

    void softmaxPixels(GpuView x, long rows, int n, double temperature, GpuView out);

    void gaussian2kp(GpuView heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                     GpuView mean, GpuView var);

    void kpHeatmapEmbed(GpuView drvMean, GpuView drvVar, GpuView srcMean, GpuView srcVar, KpVariance variance, int b,
                        int d, int k, int h, int w, Double normConst, boolean difference, boolean background,
                        int outChannels, int slotFeatures, GpuView out);

    void kpDifferenceEmbed(GpuView drvMean, GpuView srcMean, int b, int d, int k, int h, int w, boolean background,
                           int outChannels, int slotFeatures, int channel, GpuView out);

    void denseMotionFlow(GpuView pred, GpuView drvMean, GpuView srcMean, int b, int cp, int k, int d, int h, int w,
                         boolean useMask, boolean useCorrection, GpuView mask, GpuView deformation);

    void gridSampleDepth1(GpuView in, GpuView grid, int n, int c, int h, int w, int od, int ho, int wo,
                          GridSample.Padding padding, boolean alignCorners, GpuView out);

    /** Releases the device's own resources (not the buffers and convs handed out). Idempotent. */
    @Override
    void close();
}
