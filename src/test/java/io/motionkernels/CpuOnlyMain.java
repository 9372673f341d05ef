package io.motionkernels;

import io.motionkernels.media.MediaReader;
import io.motionkernels.model.ModelConfig;
import io.motionkernels.tensor.Tensor;

import java.nio.file.Path;

/**
 * Run by {@link DependenciesTest} in a JVM whose class path holds the library and its runtime
 * dependencies only (no picocli, JCuda or JavaCPP): CPU inference must work there, and asking for
 * CUDA must say which dependencies it needs. Prints what it did; any exception fails the test.
 */
public final class CpuOnlyMain {
    private CpuOnlyMain() {
    }

    public static void main(String[] args) {
        for (String absent : new String[] {"picocli.CommandLine", "jcuda.driver.JCudaDriver",
                "org.bytedeco.javacpp.Loader", "org.bytedeco.cuda.global.cudnn"}) {
            try {
                Class.forName(absent, false, CpuOnlyMain.class.getClassLoader());
                throw new IllegalStateException(absent + " is on the class path: the check proves nothing");
            } catch (ClassNotFoundException expected) {
                // the point of this program
            }
        }
        ModelConfig config = ModelConfig.published(DemoModel.CONFIG);
        Path samples = Path.of(args[0]);
        Tensor source = MediaReader.readImage(samples.resolve("00000001.png"), 64, 64, MediaReader.Layout.AUTO).frames();
        for (Backend backend : new Backend[] {Backend.AUTO, Backend.CPU}) {
            try (MotionModel model = MotionModel.create(config, DemoModel.weights(), backend);
                 PreparedSource prepared = model.prepare(source)) {
                Tensor driving = MediaReader.read(samples.resolve("00000010.gif"), 64, 64).frames();
                Tensor out = prepared.animate(ModelConfig.Normalization.ABSOLUTE).next(driving);
                System.out.println(backend + " -> " + model.backend() + ": animated " + out.shapeString());
            }
        }
        try {
            MotionModel.create(config, DemoModel.weights(), Backend.CUDA).close();
            throw new IllegalStateException("Backend.CUDA without the CUDA jars did not fail");
        } catch (MotionKernelsException e) {
            System.out.println("CUDA: " + e.getMessage());
        }
    }
}
