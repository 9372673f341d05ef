package io.motionkernels.conformance;

import io.motionkernels.Backend;
import io.motionkernels.TestFiles;
import io.motionkernels.checkpoint.Checkpoints;
import io.motionkernels.checkpoint.Safetensors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every First Order Motion Model reference case (the shipped copy, plus ../shared/golden-fomm's
 * others when present) within the float32 bound, output by output: the antialias op cases, the
 * vox-256 detector, the generator with every intermediate result, the whole transfer.
 */
class FommCasesTest {
    private static final double BOUND = 1e-4;

    @TestFactory
    Stream<DynamicTest> everyFommCasePasses() {
        List<TestFiles.Case> cases = TestFiles.fommCases();
        Set<String> names = cases.stream().map(TestFiles.Case::name).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("kp_detector.safetensors", "antialias_0.25.safetensors",
                "antialias_0.25_odd_size.safetensors", "antialias_1.safetensors")), names.toString());
        // the vox-256 generator and transfer (9 MB) come from ../shared; a clone alone runs the
        // generators of src/test/resources/cases/fomm, made by FOMM's own code
        if (TestFiles.sharedFommGolden().isPresent()) {
            assertTrue(names.containsAll(Set.of("generator.safetensors", "transfer.safetensors")), names.toString());
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Safetensors.Contents contents = Safetensors.read(c.file());
            String kind = contents.metadata().get("kind");
            List<Comparison> comparisons = OpCases.handles(kind) ? OpCases.run(contents)
                    : ModelCases.run(c.file(), contents, Checkpoints::load, Backend.CPU);
            assertTrue(comparisons.size() >= (kind.equals("fomm:generator") ? 9 : 1), kind);
            StringBuilder report = new StringBuilder(c.name());
            for (Comparison cmp : comparisons) {
                report.append("\n  ").append(cmp.describe());
            }
            System.out.println(report);
            for (Comparison cmp : comparisons) {
                assertTrue(cmp.passes(BOUND), c.name() + ": " + cmp.describe());
            }
        }));
    }

    /** The shipped copy has not drifted from the cases it was taken from. */
    @Test
    void shippedCasesEqualTheSharedOnes() throws IOException {
        Optional<Path> shared = TestFiles.sharedFommGolden();
        assumeTrue(shared.isPresent(), "no ../shared/golden-fomm beside the clone");
        int compared = 0;
        for (Path p : Conformance.findCases(TestFiles.fommGolden())) {
            Path twin = shared.get().resolve(TestFiles.fommGolden().relativize(p).toString());
            assertTrue(Files.isRegularFile(twin), "shipped case missing from " + shared.get() + ": " + twin);
            assertArrayEquals(Files.readAllBytes(twin), Files.readAllBytes(p), p + " differs from " + twin);
            compared++;
        }
        assertEquals(6, compared); // the five antialias cases and the detector
    }
}
