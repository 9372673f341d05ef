package io.motionkernels.bench;

import io.motionkernels.engine.Padding;
import io.motionkernels.engine.Activation;
import io.motionkernels.cpu.Conv2d;
import io.motionkernels.cpu.GridSample;
import io.motionkernels.cpu.Interpolate;
import io.motionkernels.cpu.KeypointOps;
import io.motionkernels.cpu.Pool;
import io.motionkernels.cpu.Softmax;
import io.motionkernels.tensor.KpVariance;
import io.motionkernels.tensor.Keypoints;
import io.motionkernels.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The CPU engine's kernel families at the shapes the published models run them at, one driving
 * frame (D = 1, the streaming case; batches scale these linearly). nemo works at 64x64; vox's
 * generator at 256x256 while its keypoint detector and dense-motion network also work at 64x64,
 * so the keypoint kernels have one shape for both.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx6g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBench {

    /**
     * Deforming a depth-1 input for one frame. {@code src3x64x64}: the nemo source (the generator's
     * first skip, and video_deformed); {@code skip64x32x32} and {@code skip512x4x4}: deeper
     * encoder skips; {@code vox3x256x256}: vox's source. All 5-D, sampled at z = 0, zero padding,
     * align_corners = true. {@code bilinear2d3x64x64}: the 2-D bilinear sampling of the movement
     * embedding's deformed source (one keypoint slot).
     */
    @State(Scope.Benchmark)
    public static class GridSampleState {
        @Param({"src3x64x64", "skip64x32x32", "skip512x4x4", "vox3x256x256", "bilinear2d3x64x64"})
        public String shape;

        Tensor input;
        Tensor grid;
        Work work;

        @Setup
        public void setup() {
            int[] chw = gridSampleShape(shape);
            int c = chw[0], h = chw[1], w = chw[2];
            boolean twoD = shape.startsWith("bilinear2d");
            input = twoD ? Inputs.uniform(1, 0f, 1f, 1, c, h, w) : Inputs.uniform(1, 0f, 1f, 1, c, 1, h, w);
            grid = Inputs.grid(2, 1, h, w, twoD ? 2 : 3);
            work = Work.gridSample(c, h, w, 1, h, w, twoD ? 2 : 3);
        }
    }

    @Benchmark
    public Tensor gridSample(GridSampleState s, Counters c) {
        c.add(s.work);
        return GridSample.sample(s.input, s.grid, Padding.ZEROS, true);
    }

    /** K = 10 keypoints of one frame at 64x64, full 2x2 variances (every published model but shapes). */
    @State(Scope.Benchmark)
    public static class KeypointState {
        static final int K = 10;
        static final int H = 64;

        Keypoints kp;
        Tensor heat;
        Work toGaussian = Work.kp2gaussian(1, K, H, H);
        Work toKp = Work.gaussian2kp(1, K, H, H);

        @Setup
        public void setup() {
            Tensor mean = Inputs.uniform(3, -0.8f, 0.8f, 1, 1, K, 2);
            Tensor var = Tensor.zeros(1, 1, K, 2, 2);
            float[] v = var.data();
            float[] r = Inputs.uniform(4, 0f, 1f, 2 * K);
            for (int k = 0; k < K; k++) {
                float a = 0.005f + 0.02f * r[2 * k];
                float d = 0.005f + 0.02f * r[2 * k + 1];
                float b = 0.3f * (float) Math.sqrt(a * d); // |correlation| 0.3: positive definite
                v[4 * k] = a;
                v[4 * k + 1] = b;
                v[4 * k + 2] = b;
                v[4 * k + 3] = d;
            }
            kp = new Keypoints(mean, var);
            heat = Inputs.heatmaps(5, K, 1, H, H);
        }
    }

    @Benchmark
    public Tensor kp2gaussian(KeypointState s, Counters c) {
        c.add(s.toGaussian);
        return KeypointOps.kp2gaussian(s.kp, KeypointState.H, KeypointState.H, KpVariance.MATRIX);
    }

    /** With clip_variance 0.001 as in every published configuration that sets it. */
    @Benchmark
    public Keypoints gaussian2kp(KeypointState s, Counters c) {
        c.add(s.toKp);
        return KeypointOps.gaussian2kp(s.heat, KpVariance.MATRIX, 0.001);
    }

    /** The keypoint detector's softmax of logits / 0.1 over the 64x64 pixels of 10 maps. */
    @State(Scope.Benchmark)
    public static class SoftmaxState {
        Tensor logits = Inputs.uniform(6, -3f, 3f, 1, 10, 1, 64, 64);
        Work work = Work.softmax(10, 64, 64);
    }

    @Benchmark
    public Tensor softmaxPixels(SoftmaxState s, Counters c) {
        c.add(s.work);
        return Softmax.overPixels(s.logits, 0.1);
    }

    /**
     * One convolution block: 3x3 conv, folded BN, ReLU. {@code c256to64at32}: the decoder's up-block
     * at 32x32 (keypoint detector and dense motion of nemo); {@code c45to45at64}: a refinement
     * ResBlock conv of nemo's generator (E + C + K = 32 + 3 + 10 channels); {@code c45to45at256}: the
     * same at vox's 256x256. The small maps of nemo's hourglasses (64x64 in, 5 blocks, at most 512
     * channels), which the Vector API kernel runs transposed: {@code c512to512at4}, the encoder's
     * deepest conv; {@code up512to512at2} and {@code up1024to256at4}, the decoder's first two
     * up-blocks (nearest x2 then conv, computed as four phase kernels on the low-resolution input).
     * FLOPs are those of the 3x3 formulation at the output size.
     */
    @State(Scope.Benchmark)
    public static class ConvState {
        @Param({"c256to64at32", "c45to45at64", "c45to45at256", "c512to512at4", "up512to512at2", "up1024to256at4"})
        public String shape;

        Conv2d conv;
        Tensor x;
        Work work;
        boolean up;

        @Setup
        public void setup() {
            ConvBlock blk = ConvBlock.of(shape);
            conv = blk.conv();
            x = blk.input();
            up = blk.up();
            int out = blk.up() ? 2 * blk.hw() : blk.hw();
            work = Work.conv(1, blk.cin(), blk.cout(), 3, out, out);
        }
    }

    /**
     * The data of a {@link ConvState} shape: 3x3 weights and bias, batch-norm parameters and a
     * one-frame input, from fixed seeds; shared by the CPU and GPU benchmarks so that the GPU
     * check compares against exactly the CPU benchmark's convolution.
     */
    record ConvBlock(int cin, int cout, int hw, boolean up, float[] weight, float[] bias, float[] gamma, float[] beta,
                     float[] mean, float[] var) {
        static ConvBlock of(String shape) {
            int[] p = switch (shape) {
                case "c256to64at32" -> new int[]{256, 64, 32};
                case "c45to45at64" -> new int[]{45, 45, 64};
                case "c45to45at256" -> new int[]{45, 45, 256};
                case "c512to512at4" -> new int[]{512, 512, 4};
                case "up512to512at2" -> new int[]{512, 512, 2};
                case "up1024to256at4" -> new int[]{1024, 256, 4};
                default -> throw new IllegalArgumentException(shape);
            };
            int cin = p[0], cout = p[1];
            float bound = (float) Math.sqrt(6.0 / (cin * 9));
            return new ConvBlock(cin, cout, p[2], shape.startsWith("up"), Inputs.uniform(7, -bound, bound, cout * cin * 9),
                    Inputs.uniform(8, -0.1f, 0.1f, cout), Inputs.uniform(9, 0.75f, 1.25f, cout),
                    Inputs.uniform(10, -0.1f, 0.1f, cout), Inputs.uniform(11, -0.1f, 0.1f, cout),
                    Inputs.uniform(12, 0.75f, 1.25f, cout));
        }

        /** The CPU engine's block: conv (of the input upsampled x2 if {@code up}), batch norm folded in, ReLU. */
        Conv2d conv() {
            return Conv2d.of(weight, bias, cout, cin, 3, 3, 1).foldBatchNorm(gamma, beta, mean, var, 1e-5)
                    .withActivation(Activation.RELU);
        }

        Tensor input() {
            return Inputs.uniform(13, 0f, 1f, 1, cin, 1, hw, hw);
        }
    }

    @Benchmark
    public Tensor convBlock(ConvState s, Counters c) {
        c.add(s.work);
        return s.up ? s.conv.applyUpsampled2x(s.x) : s.conv.apply(s.x);
    }

    /** A DownBlock's pool (64 channels at 64x64) and an UpBlock's nearest x2 (128 channels at 16x16). */
    @State(Scope.Benchmark)
    public static class ResampleState {
        Tensor poolIn = Inputs.uniform(14, 0f, 1f, 1, 64, 1, 64, 64);
        Tensor upIn = Inputs.uniform(15, 0f, 1f, 1, 128, 1, 16, 16);
        Work pool = Work.of(Work.F * (64L * 64 * 64 + 64L * 32 * 32), 64L * 32 * 32 * 4);
        Work up = Work.of(Work.F * (128L * 16 * 16 + 128L * 32 * 32), 0);
    }

    @Benchmark
    public Tensor avgPool2x2(ResampleState s, Counters c) {
        c.add(s.pool);
        return Pool.avgPool2x2(s.poolIn);
    }

    @Benchmark
    public Tensor upsampleNearest2x(ResampleState s, Counters c) {
        c.add(s.up);
        return Interpolate.nearestScale(s.upIn, 1, 2, 2);
    }

    /** (channels, height, width) of a grid_sample benchmark shape; shared by the CPU and GPU benchmarks. */
    static int[] gridSampleShape(String shape) {
        return switch (shape) {
            case "src3x64x64", "bilinear2d3x64x64" -> new int[]{3, 64, 64};
            case "skip64x32x32" -> new int[]{64, 32, 32};
            case "skip512x4x4" -> new int[]{512, 4, 4};
            case "vox3x256x256" -> new int[]{3, 256, 256};
            default -> throw new IllegalArgumentException(shape);
        };
    }
}
