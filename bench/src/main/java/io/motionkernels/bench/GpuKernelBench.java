package io.motionkernels.bench;

import io.motionkernels.engine.Padding;
import io.motionkernels.Precision;
import io.motionkernels.engine.Activation;
import io.motionkernels.cpu.Conv2d;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.cpu.Interpolate;
import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.cpu.Pool;
import io.motionkernels.cpu.Softmax;
import io.motionkernels.engine.ConvSpec;
import io.motionkernels.cuda.DeviceBuffer;
import io.motionkernels.engine.Device;
import io.motionkernels.engine.Scales;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@link KernelBench}'s kernel families and shapes on the CUDA backend, with inputs and outputs
 * resident on the device ({@code CudaOps} on {@code DeviceBuffer}s, convolutions through
 * {@code CudnnDevice.conv}, the GPU model's own conv path). One operation is: queue the kernel on
 * the runtime's stream, then wait for the stream. So the time is launch + kernel + synchronisation,
 * with no host-device copies (inputs are uploaded once in @Setup). This is a latency per call, the
 * same statistic as bench_torch.py --device cuda (each call followed by torch.cuda.synchronize()).
 * For the small one-frame shapes it is dominated by launch and sync overhead (microseconds), which
 * is what a streaming frame pays per kernel outside a CUDA graph.
 *
 * <p>The declared {@link Work} is the same as the CPU benchmark's: the compulsory device-memory
 * traffic and arithmetic of the kernel. Every state checks one GPU result against the CPU engine
 * before anything is timed. @Setup fails fast where CUDA is not usable ({@link GpuSession}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx6g"})
// Calls last microseconds: half-second iterations hold thousands of them, and keep a full run of
// both GPU classes and bench_torch.py inside one 10-minute device-machine call.
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class GpuKernelBench {
    /** The float32 bound of the reference cases (golden/FORMAT.md); FAST convolutions get 3e-3. */
    static final double STRICT_TOL = 1e-4;
    static final double FAST_TOL = 3e-3;

    /** Base of the states: one device session per trial, bound to the worker thread every iteration. */
    public abstract static class Gpu {
        GpuSession gpu;

        void open(Precision p) {
            gpu = GpuSession.open(p);
        }

        @Setup(Level.Iteration)
        public void bind() {
            gpu.bind();
        }

        @TearDown(Level.Trial)
        public void close() {
            if (gpu != null) {
                try {
                    gpu.bind();
                    release();
                } finally {
                    gpu.close();
                }
            }
        }

        /** Device resources the state holds beyond the session's own buffers; called before the session closes. */
        void release() {
        }
    }

    /** The shapes of {@link KernelBench.GridSampleState}; 5-D ones run the depth-1 kernel the GPU model calls. */
    @State(Scope.Benchmark)
    public static class GridSampleState extends Gpu {
        @Param({"src3x64x64", "skip64x32x32", "skip512x4x4", "vox3x256x256", "bilinear2d3x64x64"})
        public String shape;

        int c, h, w;
        boolean twoD;
        DeviceBuffer in, grid, out;
        Work work;

        @Setup(Level.Trial)
        public void setup() {
            int[] chw = KernelBench.gridSampleShape(shape);
            c = chw[0];
            h = chw[1];
            w = chw[2];
            twoD = shape.startsWith("bilinear2d");
            open(Precision.STRICT);
            Tensor x = twoD ? Inputs.uniform(1, 0f, 1f, 1, c, h, w) : Inputs.uniform(1, 0f, 1f, 1, c, 1, h, w);
            Tensor g = Inputs.grid(2, 1, h, w, twoD ? 2 : 3);
            in = gpu.upload(x);
            grid = gpu.upload(g);
            out = gpu.output((long) c * h * w);
            work = Work.gridSample(c, h, w, 1, h, w, twoD ? 2 : 3);
            run(this);
            gpu.sync();
            GpuSession.check("grid_sample " + shape, out.download(),
                    GridSample.sample(x, g, Padding.ZEROS, true).data(), STRICT_TOL);
        }

        static void run(GridSampleState s) {
            if (s.twoD) {
                s.gpu.ops.gridSample2d(s.in.view(), s.grid.view(), 1, s.c, s.h, s.w, s.h, s.w, Padding.ZEROS,
                        true, s.out.view());
            } else {
                s.gpu.ops.gridSampleDepth1(s.in.view(), s.grid.view(), 1, s.c, s.h, s.w, 1, s.h, s.w,
                        Padding.ZEROS, true, s.out.view());
            }
        }
    }

    @Benchmark
    public void gridSample(GridSampleState s, Counters c) {
        c.add(s.work);
        GridSampleState.run(s);
        s.gpu.sync();
    }

    /** {@link KernelBench.KeypointState}: 10 keypoints at 64x64, matrix variance. */
    @State(Scope.Benchmark)
    public static class KeypointState extends Gpu {
        static final int K = KernelBench.KeypointState.K;
        static final int H = KernelBench.KeypointState.H;

        DeviceBuffer mean, var, gauss, heat, outMean, outVar;
        Work toGaussian = Work.kp2gaussian(1, K, H, H);
        Work toKp = Work.gaussian2kp(1, K, H, H);

        @Setup(Level.Trial)
        public void setup() {
            KernelBench.KeypointState cpu = new KernelBench.KeypointState();
            cpu.setup();
            open(Precision.STRICT);
            mean = gpu.upload(cpu.kp.mean());
            var = gpu.upload(cpu.kp.var());
            gauss = gpu.output((long) K * H * H);
            heat = gpu.upload(cpu.heat);
            outMean = gpu.output(2L * K);
            outVar = gpu.output(4L * K);
            toGaussian(this);
            toKp(this);
            gpu.sync();
            GpuSession.check("kp2gaussian", gauss.download(),
                    KeypointOps.kp2gaussian(cpu.kp, H, H, KpVariance.MATRIX).data(), STRICT_TOL);
            Keypoints ref = KeypointOps.gaussian2kp(cpu.heat, KpVariance.MATRIX, 0.001);
            GpuSession.check("gaussian2kp mean", outMean.download(), ref.mean().data(), STRICT_TOL);
            GpuSession.check("gaussian2kp var", outVar.download(), ref.var().data(), STRICT_TOL);
        }

        static void toGaussian(KeypointState s) {
            s.gpu.ops.kp2gaussian(s.mean.view(), s.var.view(), KpVariance.MATRIX, K, H, H, s.gauss.view());
        }

        static void toKp(KeypointState s) {
            s.gpu.ops.gaussian2kp(s.heat.view(), 1, K, 1, H, H, KpVariance.MATRIX, 0.001, s.outMean.view(), s.outVar.view());
        }
    }

    @Benchmark
    public void kp2gaussian(KeypointState s, Counters c) {
        c.add(s.toGaussian);
        KeypointState.toGaussian(s);
        s.gpu.sync();
    }

    @Benchmark
    public void gaussian2kp(KeypointState s, Counters c) {
        c.add(s.toKp);
        KeypointState.toKp(s);
        s.gpu.sync();
    }

    /** The keypoint detector's softmax of logits / 0.1 over the 64x64 pixels of 10 maps. */
    @State(Scope.Benchmark)
    public static class SoftmaxState extends Gpu {
        DeviceBuffer x, out;
        Work work = Work.softmax(10, 64, 64);

        @Setup(Level.Trial)
        public void setup() {
            Tensor logits = new KernelBench.SoftmaxState().logits;
            open(Precision.STRICT);
            x = gpu.upload(logits);
            out = gpu.output(logits.numel());
            run(this);
            gpu.sync();
            GpuSession.check("softmax", out.download(), Softmax.overPixels(logits, 0.1).data(), STRICT_TOL);
        }

        static void run(SoftmaxState s) {
            s.gpu.ops.softmaxPixels(s.x.view(), 10, 64 * 64, 0.1, s.out.view());
        }
    }

    @Benchmark
    public void softmaxPixels(SoftmaxState s, Counters c) {
        c.add(s.work);
        SoftmaxState.run(s);
        s.gpu.sync();
    }

    /**
     * {@link KernelBench.ConvState}'s blocks (3x3 conv, folded BN, ReLU) through the GPU model's conv
     * path: {@code CudnnDevice.conv}, cuDNN's fused conv + bias + ReLU where it takes it. STRICT: FMA
     * math only; FAST: TF32 tensor cores allowed.
     */
    @State(Scope.Benchmark)
    public static class ConvState extends Gpu {
        @Param({"c256to64at32", "c45to45at64", "c45to45at256"})
        public String shape;

        @Param({"STRICT", "FAST"})
        public String precision;

        int hw;
        Device.Conv conv;
        Device.Buffer x, y, workspace;
        Work work;

        @Setup(Level.Trial)
        public void setup() {
            KernelBench.ConvBlock blk = KernelBench.ConvBlock.of(shape);
            int cin = blk.cin(), cout = blk.cout();
            hw = blk.hw();
            Tensor input = blk.input();
            Tensor ref = blk.conv().apply(input);
            work = Work.conv(1, cin, cout, 3, hw, hw);

            Precision prec = Precision.valueOf(precision);
            open(prec);
            Device dev = gpu.device;
            conv = dev.prepareConv(new ConvSpec("bench." + shape, cin, cout, 3, 1, blk.weight(), blk.bias(),
                    Activation.NONE).foldBatchNorm(blk.gamma(), blk.beta(), blk.mean(), blk.var(), 1e-5)
                    .withActivation(Activation.RELU));
            x = dev.allocate(input.numel());
            dev.upload(input.data(), x.view());
            y = dev.allocate(ref.numel());
            dev.fill(y.view(), Float.NaN);
            workspace = dev.allocate(dev.convWorkspaceFloats(conv, 1, hw, hw, 1, false, cout));
            run(this);
            float[] got = new float[ref.numel()];
            dev.download(y.view(), got);
            GpuSession.check("conv block " + shape + " " + prec, got, ref.data(),
                    prec == Precision.STRICT ? STRICT_TOL : FAST_TOL);
        }

        static void run(ConvState s) {
            s.gpu.device.conv(s.conv, s.x.view(), 1, s.hw, s.hw, 1, null, s.y.view(), s.conv.spec().cout(), 0, s.workspace.view());
        }

        @Override
        void release() {
            for (AutoCloseable r : new AutoCloseable[]{workspace, y, x, conv}) {
                try {
                    if (r != null) {
                        r.close();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("closing a conv benchmark's device resources", e);
                }
            }
        }
    }

    @Benchmark
    public void convBlock(ConvState s, Counters c) {
        c.add(s.work);
        ConvState.run(s);
        s.gpu.sync();
    }

    /** A DownBlock's pool (64 channels at 64x64) and an UpBlock's nearest x2 (128 channels at 16x16). */
    @State(Scope.Benchmark)
    public static class ResampleState extends Gpu {
        DeviceBuffer poolIn, poolOut, upIn, upOut;
        KernelBench.ResampleState cpu = new KernelBench.ResampleState();

        @Setup(Level.Trial)
        public void setup() {
            open(Precision.STRICT);
            poolIn = gpu.upload(cpu.poolIn);
            poolOut = gpu.output(64L * 32 * 32);
            upIn = gpu.upload(cpu.upIn);
            upOut = gpu.output(128L * 32 * 32);
            pool(this);
            up(this);
            gpu.sync();
            GpuSession.check("avg pool 2x2", poolOut.download(), Pool.avgPool2x2(cpu.poolIn).data(), STRICT_TOL);
            GpuSession.check("nearest x2", upOut.download(), Interpolate.nearestScale(cpu.upIn, 1, 2, 2).data(),
                    STRICT_TOL);
        }

        static void pool(ResampleState s) {
            s.gpu.ops.avgPool2x2(s.poolIn.view(), 64, 64, 64, s.poolOut.view());
        }

        static void up(ResampleState s) {
            s.gpu.ops.interpolateNearest(s.upIn.view(), 128, 1, 16, 16, 1, 32, 32, Scales.nearest(1, 1, 1.0),
                    Scales.nearest(16, 32, 2.0), Scales.nearest(16, 32, 2.0), s.upOut.view());
        }
    }

    @Benchmark
    public void avgPool2x2(ResampleState s, Counters c) {
        c.add(s.cpu.pool);
        ResampleState.pool(s);
        s.gpu.sync();
    }

    @Benchmark
    public void upsampleNearest2x(ResampleState s, Counters c) {
        c.add(s.cpu.up);
        ResampleState.up(s);
        s.gpu.sync();
    }
}
