package io.motionkernels.cpu;

import io.motionkernels.Animation;
import io.motionkernels.Backend;
import io.motionkernels.MotionModel;
import io.motionkernels.PreparedSource;
import io.motionkernels.checkpoint.Weights;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;

import java.util.Random;

/**
 * Per-frame time of the whole "nemo" model (64x64, streaming one driving frame at a time), to see
 * what the convolution kernel choice does end to end. Not a test: run with
 * {@code java [--add-modules jdk.incubator.vector] -cp target/classes:target/test-classes
 * io.motionkernels.cpu.ConvNemoSpeed [frames]}. Prints the best wall time per frame and the
 * process CPU time per frame (averaged), since the machine is shared.
 */
public final class ConvNemoSpeed {
    private ConvNemoSpeed() {
    }

    public static void main(String[] args) {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        System.out.println("GEMM kernel: " + (ConvKernels.vector() ? "Vector API (ConvDirect)" : "scalar (GemmKernel)"));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        Random rnd = new Random(3);
        try (MotionModel model = MotionModel.create(ModelConfig.published("nemo"), Weights.prng(7), Backend.CPU);
             PreparedSource source = model.prepare(image(rnd))) {
            Animation anim = source.animate(ModelConfig.Normalization.RELATIVE);
            Tensor[] driving = new Tensor[4];
            for (int i = 0; i < driving.length; i++) {
                driving[i] = image(rnd);
            }
            long warmEnd = System.nanoTime() + 5_000_000_000L;
            for (int i = 0; System.nanoTime() < warmEnd; i++) {
                anim.next(driving[i % driving.length]);
            }
            long best = Long.MAX_VALUE;
            long c0 = os.getProcessCpuTime();
            long w0 = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                long t0 = System.nanoTime();
                anim.next(driving[i % driving.length]);
                best = Math.min(best, System.nanoTime() - t0);
            }
            double wallMean = (System.nanoTime() - w0) * 1e-6 / frames;
            double cpu = (os.getProcessCpuTime() - c0) * 1e-6 / frames;
            System.out.printf("nemo 64x64 streaming, %d frames: best %.1f ms/frame, mean %.1f ms/frame, cpu %.1f ms/frame%n",
                    frames, best * 1e-6, wallMean, cpu);
        }
    }

    private static Tensor image(Random rnd) {
        float[] v = new float[3 * 64 * 64];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat();
        }
        return Tensor.of(v, 1, 3, 1, 64, 64);
    }
}
