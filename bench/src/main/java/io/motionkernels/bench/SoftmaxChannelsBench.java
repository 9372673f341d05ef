package io.motionkernels.bench;

import io.motionkernels.cpu.Softmax;
import io.motionkernels.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The channel softmax KernelBench does not cover: FOMM's dense-motion mask, a softmax over K + 1 =
 * 11 channels at every pixel of 64x64 (vox-256's dense motion works at a quarter of the size).
 * Compare the Vector API and portable forms by running it in fresh JVMs with and without
 * {@code -Dmotionkernels.simd=false}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx6g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SoftmaxChannelsBench {
    @State(Scope.Benchmark)
    public static class Mask {
        Tensor logits = Inputs.uniform(40, -3f, 3f, 1, 11, 1, 64, 64);
        Work work = Work.softmax(11, 64, 64);
    }

    @Benchmark
    public Tensor softmaxChannels(Mask s, Counters c) {
        c.add(s.work);
        return Softmax.overChannels(s.logits, 11);
    }
}
