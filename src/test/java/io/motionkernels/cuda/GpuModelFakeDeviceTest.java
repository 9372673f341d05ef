package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
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
    static Path golden() {
        return Path.of(System.getProperty("golden.dir", "../shared/golden"));
    }

    static List<Path> modelCases(String... folders) {
        try {
            List<Path> out = new java.util.ArrayList<>();
            for (String f : folders) {
                try (Stream<Path> s = Files.list(golden().resolve(f))) {
                    s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(out::add);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("reference cases not found under " + golden(), e);
        }
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
        List<Path> cases = modelCases("shapes", "nemo");
        assertEquals(8, cases.size(), "shapes and nemo model cases under " + golden());
        return cases.stream().map(c -> DynamicTest.dynamicTest(golden().relativize(c).toString(),
                () -> check(c, new GpuModel.Options(true, false))));
    }

    /** The same with the per-frame work captured once and replayed (CUDA graphs). */
    @TestFactory
    Stream<DynamicTest> capturedGraphsReplay() {
        return modelCases("shapes").stream().filter(p -> p.getFileName().toString().startsWith("transfer"))
                .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(),
                        () -> check(c, new GpuModel.Options(true, true))));
    }

    static ModelConfig config(String name) {
        return ModelConfig.published(name);
    }
}
