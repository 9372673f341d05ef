package io.motionkernels.cpu;

import io.motionkernels.TestFiles;
import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.conformance.OpCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every single-operation reference case in golden/ops reproduces within the float32 bound. */
class GoldenOpsTest {
    static final double BOUND = 1e-4;

    @TestFactory
    Stream<DynamicTest> everyOpCase() {
        List<Path> files = TestFiles.goldenCases("ops").stream().map(TestFiles.Case::file).toList();
        assertTrue(files.size() >= 20, "golden op cases missing: " + files.size() + " found");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Safetensors.Contents c = Safetensors.read(f);
            List<Comparison> results = OpCases.run(c);
            assertFalse(results.isEmpty());
            for (Comparison r : results) {
                assertTrue(r.shapesMatch(), r.describe());
                assertEquals(0, r.nonFinite(), r.describe());
                double err = r.relativeL2();
                System.out.printf("golden %-45s %-5s rel L2 %.3e%n", f.getFileName(), r.name(), err);
                assertTrue(err <= BOUND, f.getFileName() + " " + r.describe());
            }
        }));
    }
}
