package io.motionkernels.engine;

import io.motionkernels.tensor.KpVariance;

/**
 * The one op interface: everything a model graph ({@link Graph}) needs from a machine, memory,
 * copies, convolutions with their fused epilogues, and the model's own kernels (each with the
 * contract of its {@code kernels/*.cu} kernel, on {@link View}s; {@code null} for an absent
 * optional buffer). Work is queued in order; {@link #download} waits for it.
 *
 * <p>Exactly two implementations: {@code cpu.CpuDevice} (the pure-Java kernels of
 * {@code io.motionkernels.cpu}, the reference every CUDA kernel is checked against) and
 * {@code cuda.CudnnDevice} (our CUDA kernels and cuDNN 9). {@link Executor} runs a graph on either,
 * with the same memory plan and the same capture logic.
 */
public interface Device extends AutoCloseable {
    /** Device memory owned by the caller. */
    interface Buffer extends AutoCloseable {
        View view();

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
    interface Replay extends AutoCloseable {
        void launch();

        @Override
        void close();
    }

    /** Binds the device to the calling thread (a CUDA context is per thread); cheap, call on every entry. */
    void bindThread();

    Buffer allocate(long floats);

    /** Synchronous host-to-device copy of all of {@code host} to the start of {@code dst}. */
    void upload(float[] host, View dst);

    /** Waits for the queued work, then copies the first {@code host.length} floats of {@code src}. */
    void download(View src, float[] host);

    /** Sets every value of {@code dst} (queued). */
    void fill(View dst, float value);

    void synchronize();

    /** Uploads a convolution's weights and prepares its descriptors. */
    Conv prepareConv(ConvSpec spec);

    /**
     * Workspace (floats) that {@link #conv} will need for this shape, choosing (and caching) the
     * algorithm for it: an (n, cin, h, w) input, upsampled {@code up} times (1, or 2 for nearest
     * x2), with or without a residual, into an output of {@code yChannels} channels.
     */
    long convWorkspaceFloats(Conv conv, int n, int h, int w, int up, boolean residual, int yChannels);

    /**
     * y[:, yOffset : yOffset + cout] (n, yChannels, H, W) = act(conv(upsample(x, up)) + bias
     * [+ residual (n, cout, H, W)]) for x (n, cin, h, w), H = up * h, W = up * w, NCHW: the
     * convolution with its epilogue, the up-blocks' nearest x2 upsampling and the concatenation
     * fused in as each device does best. {@code workspace} holds at least
     * {@link #convWorkspaceFloats} floats; its contents afterwards are undefined.
     */
    void conv(Conv conv, View x, int n, int h, int w, int up, View residual, View y, int yChannels, int yOffset,
              View workspace);

    /**
     * Strided 4-D copy: dst[i0, i1, i2, i3] = src[i0, i1, i2, i3] with the given element strides
     * (cudnnTransformTensor): transpositions and writes into channel slices.
     */
    void copyStrided(View src, int[] dims, long[] srcStrides, View dst, long[] dstStrides);

    /** Captures the device work {@code work} queues (no uploads or downloads inside) for replay. */
    Replay capture(Runnable work);

    // ---- the kernels (see CudaOps for each one's contract) ----

    void interpolateNearest(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float sd, float sh,
                            float sw, View out);

    void interpolateTrilinear(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd, float rh,
                              float rw, View out);

    void avgPool2x2(View in, long planes, int h, int w, View out);

    void channelAffine(View in, View scale, View shift, int b, int c, long inner, Activation act,
                       int outChannels, int outOffset, View out);


    void channelsLastToFirst(View in, int b, long inner, int c, View out);

    void channelsFirstToLast(View in, int b, long inner, int c, View out);

    void softmaxPixels(View x, long rows, int n, double temperature, View out);

    void gaussian2kp(View heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                     View mean, View var);

    void kpHeatmapEmbed(View drvMean, View drvVar, View srcMean, View srcVar, KpVariance variance, int b,
                        int d, int k, int h, int w, Double normConst, boolean difference, boolean background,
                        int outChannels, int slotFeatures, View out);

    void kpDifferenceEmbed(View drvMean, View srcMean, int b, int d, int k, int h, int w, boolean background,
                           int outChannels, int slotFeatures, int channel, View out);

    void denseMotionFlow(View pred, View drvMean, View srcMean, int b, int cp, int k, int d, int h, int w,
                         boolean useMask, boolean useCorrection, View mask, View deformation);

    void gridSampleDepth1(View in, View grid, int n, int c, int h, int w, int od, int ho, int wo,
                          Padding padding, boolean alignCorners, View out);

    // ---- First Order Motion Model's kernels (FOMM.md; see cpu.FommKernels) ----

    /**
     * out (planes, ceil(h/stride), ceil(w/stride)) = the depthwise k x k convolution of in
     * (planes, h, w) with {@code kernel} (k * k), zero padding (k-1)/2, at every stride-th row and column.
     */
    void antialias(View in, View kernel, int planes, int h, int w, int k, int stride, View out);

    /**
     * heat (b, k, h, w) softmaxed -> value (b, k, 2) on the (h, w) coordinate grid; with maps
     * (b, 4 j, h, w) (null: none) also jacobian (b, k, 4) from map k (j = k) or map 0 (j = 1).
     */
    void heatmapKeypoints(View heat, View maps, int b, int k, int j, int h, int w, View value, View jacobian);

    /**
     * out (n, k+1, h, w, 3): slot 0 the identity grid, slot 1+i A_i (z - drv_i) + src_i with
     * A_i = J_src,i inverse(J_drv,i) (identity when the jacobians are null), z-component 0.
     * Values (n, k, 2), jacobians (n, k, 4).
     */
    void sparseMotion(View srcValue, View srcJacobian, View drvValue, View drvJacobian, int n, int k, int h, int w,
                      View out);

    /** out (n, plane, 3) = sum over slots of mask (n, slots, plane) * motion (n, slots, plane, 3), z = 0. */
    void combineMotion(View mask, View motion, int n, int slots, long plane, View out);

    /** out (n, c, plane) = in (n, c, plane) * weight (n, plane). */
    void scalePixels(View in, View weight, int n, int c, long plane, View out);

    /** Softmax over channels [0, channels) of x (b, cin, inner) at every position -> out (b, channels, inner). */
    void softmaxChannels(View x, int b, int cin, int channels, long inner, View out);

    /** Releases the device's own resources (not the buffers and convs handed out). Idempotent. */
    @Override
    void close();
}
