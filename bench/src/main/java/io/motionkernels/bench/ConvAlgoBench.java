package io.motionkernels.bench;

import io.motionkernels.cpu.Conv2d;
import io.motionkernels.engine.Activation;
import io.motionkernels.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The 3x3 convolution by the direct Vector API kernel against Winograd F(4x4, 3x3), each forced
 * (Conv2d.withAlgorithm), one frame, folded batch norm and ReLU as in the models' blocks. Every
 * (shape, algorithm) runs in a fresh JVM; run the class twice (or with -f 2) to alternate them.
 * The {@code flops} counter is the direct 3x3 formulation's count (2 cout cin 9 h w), so Winograd's
 * is an effective rate, comparable with the direct kernel's and with BoundsBench.fmaPeakSimd.
 *
 * <p>Shapes: {@code c256to64at32} the decoder's up-block at 32x32 (nemo's keypoint detector and
 * dense motion); {@code c45to45at64} and {@code c45to45at256} nemo's and vox's refinement ResBlock
 * convolution; {@code c512to512at16} and {@code c256to256at32} the deep encoder and decoder blocks of
 * the 256x256 models.
 *
 * <p>Before the measured kernel, setup runs the other one on the same input for a second, as a
 * model's AUTO measurement and its other layers do: the JIT then compiles the measured kernel
 * with the Vector API's shared code already compiled for the other, which is how it runs in a
 * model (measured alone, one Winograd version was 1.7x faster than it was after the direct kernel).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx6g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvAlgoBench {
    @State(Scope.Benchmark)
    public static class ConvState {
        @Param({"c256to64at32", "c45to45at64", "c45to45at256", "c512to512at16", "c256to256at32"})
        public String shape;

        @Param({"DIRECT", "WINOGRAD"})
        public String algorithm;

        Conv2d conv;
        Tensor x;
        Work work;

        @Setup
        public void setup() {
            int[] p = switch (shape) {
                case "c256to64at32" -> new int[] {256, 64, 32};
                case "c45to45at64" -> new int[] {45, 45, 64};
                case "c45to45at256" -> new int[] {45, 45, 256};
                case "c512to512at16" -> new int[] {512, 512, 16};
                case "c256to256at32" -> new int[] {256, 256, 32};
                default -> throw new IllegalArgumentException(shape);
            };
            int cin = p[0];
            int cout = p[1];
            int hw = p[2];
            float bound = (float) Math.sqrt(6.0 / (cin * 9));
            conv = Conv2d.of(Inputs.uniform(7, -bound, bound, cout * cin * 9), Inputs.uniform(8, -0.1f, 0.1f, cout),
                            cout, cin, 3, 3, 1)
                    .foldBatchNorm(Inputs.uniform(9, 0.75f, 1.25f, cout), Inputs.uniform(10, -0.1f, 0.1f, cout),
                            Inputs.uniform(11, -0.1f, 0.1f, cout), Inputs.uniform(12, 0.75f, 1.25f, cout), 1e-5)
                    .withActivation(Activation.RELU)
                    .withAlgorithm(Conv2d.Algorithm.valueOf(algorithm));
            x = Inputs.uniform(13, 0f, 1f, 1, cin, 1, hw, hw);
            work = Work.conv(1, cin, cout, 3, hw, hw);
            Conv2d other = conv.withAlgorithm(algorithm.equals("DIRECT") ? Conv2d.Algorithm.WINOGRAD
                    : Conv2d.Algorithm.DIRECT);
            long end = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < end) {
                other.apply(x);
            }
        }
    }

    @Benchmark
    public Tensor conv(ConvState s, Counters c) {
        c.add(s.work);
        return s.conv.apply(s.x);
    }
}
