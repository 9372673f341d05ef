package io.motionkernels.cuda;

import io.motionkernels.engine.Padding;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;
import static org.bytedeco.cuda.global.cudnn.*;

import io.motionkernels.Precision;
import io.motionkernels.engine.Activation;
import io.motionkernels.engine.ConvSpec;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.View;
import io.motionkernels.tensor.KpVariance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The real {@link Device}: our kernels through JCuda ({@link CudaOps}) and convolutions and
 * strided copies through cuDNN 9 (JavaCPP), all on the runtime's one stream: cuDNN is given
 * that stream with cudnnSetStream, its handle converted with {@link NativeAddress} (see there
 * for how JCuda and JavaCPP share pointers). Owns the runtime (context, module, stream), the
 * cuDNN handle and its cached strided-copy descriptors. UNVERIFIED on a GPU until
 * native-tests/RESULTS.md says otherwise.
 */
public final class CudnnDevice implements Device {
    /** A device allocation as a view's storage: the JCuda pointer and its raw address. */
    private record Mem(CUdeviceptr ptr, long address) {
    }

    private final CudaRuntime rt;
    private final CudaOps ops;
    private final Precision precision;
    private final cudnnContext handle;
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);
    private final Map<String, cudnnTensorStruct[]> copyDescriptors = new HashMap<>();
    private final List<String> planLog = new ArrayList<>();
    private boolean closed;

    private CudnnDevice(CudaRuntime rt, cudnnContext handle, Precision precision) {
        this.rt = rt;
        this.ops = new CudaOps(rt);
        this.handle = handle;
        this.precision = precision;
    }

    /** Opens device {@code ordinal}: context, kernels, a stream, and a cuDNN handle on that stream. */
    public static CudnnDevice open(int ordinal, Precision precision) {
        CudaRuntime rt = CudaRuntime.open(ordinal);
        cudnnContext h = new cudnnContext();
        try {
            Cudnn.check(cudnnCreate(h), "create a handle");
            try {
                long stream = NativeAddress.of(rt.stream().handle());
                Cudnn.check(cudnnSetStream(h, new CUstream_st(NativeAddress.pointer(stream))), "set the stream");
            } catch (RuntimeException | Error e) {
                cudnnDestroy(h);
                throw e;
            }
            return new CudnnDevice(rt, h, precision);
        } catch (RuntimeException | Error e) {
            rt.close();
            throw e;
        }
    }

    public Precision precision() {
        return precision;
    }

    public CudaRuntime runtime() {
        return rt;
    }

    /**
     * One line per convolution plan that has run, in the order of their first runs: the layer and
     * input shape, cuDNN's algorithm, math type, workspace bytes, and whether it ran fused (and
     * why not). For the GPU check's report.
     */
    public List<String> convolutionPlans() {
        return List.copyOf(planLog);
    }

    private static Mem mem(View v) {
        if (!(v.storage() instanceof Mem m)) {
            throw new IllegalArgumentException("not a device view of this backend");
        }
        return m;
    }

    private static DeviceView dv(View v) {
        if (v == null) {
            return DeviceView.NULL;
        }
        return new DeviceView(mem(v).ptr().withByteOffset(v.offset() * Float.BYTES), v.floats());
    }

    private static org.bytedeco.javacpp.Pointer jp(View v) {
        return NativeAddress.pointer(mem(v).address() + v.offset() * Float.BYTES);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("CUDA device closed");
        }
    }

    @Override
    public void bindThread() {
        checkOpen();
        rt.context().makeCurrent();
    }

    @Override
    public Buffer allocate(long floats) {
        checkOpen();
        DeviceBuffer b = DeviceBuffer.allocate(floats);
        CUdeviceptr p = b.view().ptr();
        View v = new View(new Mem(p, NativeAddress.of(p)), 0, floats);
        return new Buffer() {
            @Override
            public View view() {
                return v;
            }

            @Override
            public void close() {
                b.close();
            }
        };
    }

    @Override
    public void upload(float[] host, View dst) {
        dst.require("upload", host.length);
        if (host.length > 0) {
            // Synchronous copy on the legacy stream, which our blocking stream is ordered with.
            cuMemcpyHtoD(dv(dst).ptr(), Pointer.to(host), (long) host.length * Float.BYTES);
        }
    }

    @Override
    public void download(View src, float[] host) {
        src.require("download", host.length);
        rt.synchronize();
        if (host.length > 0) {
            cuMemcpyDtoH(Pointer.to(host), dv(src).ptr(), (long) host.length * Float.BYTES);
        }
    }

    @Override
    public void fill(View dst, float value) {
        if (dst.floats() > 0) {
            cuMemsetD32Async(dv(dst).ptr(), Float.floatToRawIntBits(value), dst.floats(), rt.stream().handle());
        }
    }

    @Override
    public void synchronize() {
        rt.synchronize();
    }

    @Override
    public Conv prepareConv(ConvSpec spec) {
        checkOpen();
        return new CudnnConv(spec, handle, precision, planLog::add);
    }

    /** cuDNN's workspace for the convolution itself, in floats. */
    private static long algoFloats(CudnnConv.Plan p) {
        return (p.workspaceBytes + Float.BYTES - 1) / Float.BYTES;
    }

    /**
     * The fused forms run as their parts here: an x2 input is upsampled into the workspace by our
     * nearest kernel, and an output bound for a channel slice is computed densely in the workspace
     * and copied into place (cuDNN's strided output descriptors are a later optimisation).
     */
    @Override
    public long convWorkspaceFloats(Conv conv, int n, int h, int w, int up, boolean residual, int yChannels) {
        ConvSpec s = conv.spec();
        int hh = h * up;
        int ww = w * up;
        long upsampled = up == 1 ? 0 : align((long) n * s.cin() * hh * ww);
        long dense = yChannels == s.cout() ? 0 : align((long) n * s.cout() * hh * ww);
        return upsampled + dense + algoFloats(((CudnnConv) conv).plan(n, hh, ww, residual));
    }

    /** Floats rounded up to 256 bytes, so that each part of a workspace stays aligned. */
    private static long align(long floats) {
        return (floats + 63) / 64 * 64;
    }

    @Override
    public void conv(Conv conv, View x, int n, int h, int w, int up, View residual, View y, int yChannels, int yOffset,
                     View workspace) {
        ConvSpec s = conv.spec();
        int hh = h * up;
        int ww = w * up;
        x.require("conv input", (long) n * s.cin() * h * w);
        y.require("conv output", (long) n * yChannels * hh * ww);
        workspace.require("conv workspace", convWorkspaceFloats(conv, n, h, w, up, residual != null, yChannels));
        View in = x;
        long used = 0;
        if (up != 1) {
            long len = (long) n * s.cin() * hh * ww;
            in = workspace.slice(0, len);
            interpolateNearest(x, n * s.cin(), 1, h, w, 1, hh, ww, 1f, 0.5f, 0.5f, in);
            used = align(len);
        }
        View out = y;
        if (yChannels != s.cout()) {
            long len = (long) n * s.cout() * hh * ww;
            out = workspace.slice(used, len);
            used += align(len);
        }
        convDense((CudnnConv) conv, in, n, hh, ww, residual, out, workspace.slice(used, workspace.floats() - used));
        if (out != y) {
            long plane = (long) hh * ww;
            copyStrided(out, new int[] {n, s.cout(), 1, Math.toIntExact(plane)},
                    new long[] {(long) s.cout() * plane, plane, plane, 1}, y.slice(yOffset * plane, y.floats() - yOffset * plane),
                    new long[] {(long) yChannels * plane, plane, plane, 1});
        }
    }

    private void convDense(CudnnConv c, View x, int n, int h, int w, View residual, View y, View workspace) {
        ConvSpec s = c.spec();
        long out = (long) n * s.cout() * h * w;
        View.require(residual, "conv residual", out);
        CudnnConv.Plan p = c.plan(n, h, w, residual != null);
        workspace.require("conv workspace", (p.workspaceBytes + 3) / 4);
        org.bytedeco.javacpp.Pointer wp = NativeAddress.pointer(NativeAddress.of(c.weight.view().ptr()));
        org.bytedeco.javacpp.Pointer bp = NativeAddress.pointer(NativeAddress.of(c.bias.view().ptr()));
        org.bytedeco.javacpp.Pointer ws = workspace.floats() == 0 ? null : jp(workspace);
        if (p.fused()) {
            // y = act(conv(x) + 1 * z + bias); without a residual z is y itself with weight 0, and
            // y is zeroed first: 0 * NaN is NaN, and y may hold anything (NaN in poisoned runs).
            if (residual == null) {
                fill(y.slice(0, out), 0f);
            }
            int status = cudnnConvolutionBiasActivationForward(handle, one, p.x, jp(x), c.filter, wp, p.conv, p.algo,
                    ws, p.workspaceBytes, residual == null ? zero : one, p.y, residual == null ? jp(y) : jp(residual),
                    c.biasDesc, bp, c.activation, p.y, jp(y));
            if (!ConvChoices.fallBackToUnfused(status)) {
                c.reportOnce(p);
                return;
            }
            p.fallBack(cudnnGetErrorString(status).getString() + " (status " + status + ")");
        }
        if (residual != null && mem(residual).address() + residual.offset() * Float.BYTES
                != mem(y).address() + y.offset() * Float.BYTES) {
            cuMemcpyDtoDAsync(dv(y).ptr(), dv(residual).ptr(), out * Float.BYTES, rt.stream().handle());
        }
        // beta = 0 without a residual: cuDNN does not read y then, so a poisoned y stays harmless.
        Cudnn.check(cudnnConvolutionForward(handle, one, p.x, jp(x), c.filter, wp, p.conv, p.algo, ws,
                p.workspaceBytes, residual == null ? zero : one, p.y, jp(y)), "run " + s.name() + " unfused");
        Cudnn.check(cudnnAddTensor(handle, one, c.biasDesc, bp, one, p.y, jp(y)), "add the bias of " + s.name());
        if (s.activation() != Activation.NONE) {
            DeviceView all = dv(y.slice(0, out));
            ops.channelAffine(all, DeviceView.NULL, DeviceView.NULL, 1, 1, out, s.activation(), 1, 0, all);
        }
        c.reportOnce(p);
    }

    @Override
    public void copyStrided(View src, int[] dims, long[] srcStrides, View dst, long[] dstStrides) {
        String key = Arrays.toString(dims) + Arrays.toString(srcStrides) + Arrays.toString(dstStrides);
        cudnnTensorStruct[] d = copyDescriptors.computeIfAbsent(key, k -> {
            cudnnTensorStruct a = Cudnn.strided(dims, srcStrides);
            try {
                return new cudnnTensorStruct[] {a, Cudnn.strided(dims, dstStrides)};
            } catch (RuntimeException e) {
                cudnnDestroyTensorDescriptor(a);
                throw e;
            }
        });
        Cudnn.check(cudnnTransformTensor(handle, one, d[0], jp(src), zero, d[1], jp(dst)), "copy a strided tensor");
    }

    @Override
    public Replay capture(Runnable work) {
        checkOpen();
        cuStreamBeginCapture(rt.stream().handle(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        CUgraph g = new CUgraph();
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            try {
                cuStreamEndCapture(rt.stream().handle(), g);
                cuGraphDestroy(g);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        cuStreamEndCapture(rt.stream().handle(), g);
        CUgraphExec exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, g, 0);
        } catch (RuntimeException e) {
            cuGraphDestroy(g);
            throw e;
        }
        return new Replay() {
            private boolean done;

            @Override
            public void launch() {
                if (done) {
                    throw new IllegalStateException("graph closed");
                }
                cuGraphLaunch(exec, rt.stream().handle());
            }

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    cuGraphExecDestroy(exec);
                    cuGraphDestroy(g);
                }
            }
        };
    }

    // ---- kernels: CudaOps on device views ----

    @Override
    public void interpolateNearest(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float sd,
                                   float sh, float sw, View out) {
        ops.interpolateNearest(dv(in), nc, di, hi, wi, od, ho, wo, sd, sh, sw, dv(out));
    }

    @Override
    public void interpolateTrilinear(View in, int nc, int di, int hi, int wi, int od, int ho, int wo, float rd,
                                     float rh, float rw, View out) {
        ops.interpolateTrilinear(dv(in), nc, di, hi, wi, od, ho, wo, rd, rh, rw, dv(out));
    }

    @Override
    public void avgPool2x2(View in, long planes, int h, int w, View out) {
        ops.avgPool2x2(dv(in), planes, h, w, dv(out));
    }

    @Override
    public void channelAffine(View in, View scale, View shift, int b, int c, long inner, Activation act,
                              int outChannels, int outOffset, View out) {
        ops.channelAffine(dv(in), dv(scale), dv(shift), b, c, inner, act, outChannels, outOffset, dv(out));
    }

    @Override
    public void channelsLastToFirst(View in, int b, long inner, int c, View out) {
        ops.channelsLastToFirst(dv(in), b, inner, c, dv(out));
    }

    @Override
    public void channelsFirstToLast(View in, int b, long inner, int c, View out) {
        ops.channelsFirstToLast(dv(in), b, inner, c, dv(out));
    }

    @Override
    public void softmaxPixels(View x, long rows, int n, double temperature, View out) {
        ops.softmaxPixels(dv(x), rows, n, temperature, dv(out));
    }

    @Override
    public void gaussian2kp(View heat, int b, int k, int d, int h, int w, KpVariance variance, Double clipVariance,
                            View mean, View var) {
        ops.gaussian2kp(dv(heat), b, k, d, h, w, variance, clipVariance, dv(mean), dv(var));
    }

    @Override
    public void kpHeatmapEmbed(View drvMean, View drvVar, View srcMean, View srcVar, KpVariance variance,
                               int b, int d, int k, int h, int w, Double normConst, boolean difference,
                               boolean background, int outChannels, int slotFeatures, View out) {
        ops.kpHeatmapEmbed(dv(drvMean), dv(drvVar), dv(srcMean), dv(srcVar), variance, b, d, k, h, w, normConst,
                difference, background, outChannels, slotFeatures, dv(out));
    }

    @Override
    public void kpDifferenceEmbed(View drvMean, View srcMean, int b, int d, int k, int h, int w,
                                  boolean background, int outChannels, int slotFeatures, int channel, View out) {
        ops.kpDifferenceEmbed(dv(drvMean), dv(srcMean), b, d, k, h, w, background, outChannels, slotFeatures, channel,
                dv(out));
    }

    @Override
    public void denseMotionFlow(View pred, View drvMean, View srcMean, int b, int cp, int k, int d, int h,
                                int w, boolean useMask, boolean useCorrection, View mask, View deformation) {
        ops.denseMotionFlow(dv(pred), dv(drvMean), dv(srcMean), b, cp, k, d, h, w, useMask, useCorrection, dv(mask),
                dv(deformation));
    }

    @Override
    public void gridSampleDepth1(View in, View grid, int n, int c, int h, int w, int od, int ho, int wo,
                                 Padding padding, boolean alignCorners, View out) {
        ops.gridSampleDepth1(dv(in), dv(grid), n, c, h, w, od, ho, wo, padding, alignCorners, dv(out));
    }

    @Override
    public void antialias(View in, View kernel, int planes, int h, int w, int k, int stride, View out) {
        ops.antialias(dv(in), dv(kernel), planes, h, w, k, stride, dv(out));
    }

    @Override
    public void heatmapKeypoints(View heat, View maps, int b, int k, int j, int h, int w, View value, View jacobian) {
        ops.heatmapKeypoints(dv(heat), dv(maps), b, k, j, h, w, dv(value), dv(jacobian));
    }

    @Override
    public void sparseMotion(View srcValue, View srcJacobian, View drvValue, View drvJacobian, int n, int k, int h,
                             int w, View out) {
        ops.sparseMotion(dv(srcValue), dv(srcJacobian), dv(drvValue), dv(drvJacobian), n, k, h, w, dv(out));
    }

    @Override
    public void combineMotion(View mask, View motion, int n, int slots, long plane, View out) {
        ops.combineMotion(dv(mask), dv(motion), n, slots, plane, dv(out));
    }

    @Override
    public void scalePixels(View in, View weight, int n, int c, long plane, View out) {
        ops.scalePixels(dv(in), dv(weight), n, c, plane, dv(out));
    }

    @Override
    public void softmaxChannels(View x, int b, int cin, int channels, long inner, View out) {
        ops.softmaxChannels(dv(x), b, cin, channels, inner, dv(out));
    }

    /** Destroys the cuDNN handle and descriptors, then closes the runtime. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            rt.context().makeCurrent();
            for (cudnnTensorStruct[] d : copyDescriptors.values()) {
                cudnnDestroyTensorDescriptor(d[0]);
                cudnnDestroyTensorDescriptor(d[1]);
            }
            copyDescriptors.clear();
            cudnnDestroy(handle);
            one.close();
            zero.close();
        } finally {
            rt.close();
        }
    }
}
