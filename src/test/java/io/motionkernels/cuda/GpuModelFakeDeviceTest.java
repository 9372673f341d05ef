package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.TestFiles;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.model.ModelConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The GPU executor (graph wiring, frames-major layouts, memory plans, slicing, graph capture) run
 * over {@link HostDevice} on the whole-model reference cases, within FORMAT.md's 1e-4. Buffers are
 * poisoned with NaN at the start and end of their planned lifetimes, so a plan that lets two live
 * tensors share memory fails here. Says nothing about the real kernels or cuDNN.
 */
class GpuModelFakeDeviceTest {
    static List<TestFiles.Case> modelCases(String... folders) {
        return TestFiles.goldenCases(folders);
    }

    static void check(Path c, GpuModel.Options options) {
        List<Comparison> results = GpuModelCases.run(c, Checkpoints::load,
                (config, weights) -> GpuModel.create(config, weights, new HostDevice(), options));
        assertFalse(results.isEmpty());
        for (Comparison r : results) {
            assertTrue(r.passes(1e-4), c.getFileName() + " " + r.describe());
        }
    }

    @TestFactory
    Stream<DynamicTest> referenceCasesOnTheFakeDevice() {
        List<TestFiles.Case> cases = modelCases("shapes", "nemo");
        assertTrue(cases.size() >= 8, "shapes and nemo model cases: " + cases.size() + " found");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> check(c.file(), new GpuModel.Options(true, false))));
    }

    /** The same with the per-frame work captured once and replayed (CUDA graphs). */
    @TestFactory
    Stream<DynamicTest> capturedGraphsReplay() {
        return modelCases("shapes").stream().map(TestFiles.Case::file)
                .filter(p -> p.getFileName().toString().startsWith("transfer"))
                .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(),
                        () -> check(c, new GpuModel.Options(true, true))));
    }

    static ModelConfig config(String name) {
        return ModelConfig.published(name);
    }
}
