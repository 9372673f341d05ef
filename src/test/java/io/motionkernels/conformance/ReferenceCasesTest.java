package io.motionkernels.conformance;

import io.motionkernels.TestFiles;
import io.motionkernels.checkpoint.Checkpoints;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every reference case within the float32 bound of FORMAT.md: the original implementation's
 * goldens (the shipped copy, plus any further ones of ../shared/golden) and the cases beyond them
 * (src/test/resources/cases, made by src/test/python/make_cases.py: every published configuration
 * and every model option of SPEC.md).
 */
class ReferenceCasesTest {
    private static final double BOUND = 1e-4;

    @TestFactory
    Stream<DynamicTest> everyGoldenCasePasses() {
        // The goldens hold one weights file beside the cases, which is skipped: 29 cases, 30 files.
        return cases(TestFiles.goldenCases(), 30, true);
    }

    @TestFactory
    Stream<DynamicTest> everyExtraCasePasses() {
        // Every file here is a model case: a skip would hide a case that never runs.
        Path root = TestFiles.extraCases();
        return cases(Conformance.findCases(root).stream().map(p -> new TestFiles.Case(root, p)).toList(), 57, false);
    }

    /** The shipped copy has not drifted from the shared goldens it was taken from. */
    @Test
    void shippedGoldensEqualTheSharedOnes() throws IOException {
        Optional<Path> shared = TestFiles.sharedGolden();
        assumeTrue(shared.isPresent(), "no ../shared/golden beside the clone: nothing to compare the shipped copy with");
        int compared = 0;
        for (Path p : Conformance.findCases(TestFiles.golden())) {
            Path twin = shared.get().resolve(TestFiles.golden().relativize(p).toString());
            assertTrue(Files.isRegularFile(twin), "shipped case missing from " + shared.get() + ": " + twin);
            assertArrayEquals(Files.readAllBytes(twin), Files.readAllBytes(p), p + " differs from " + twin);
            compared++;
        }
        assertEquals(30, compared);
    }

    private static Stream<DynamicTest> cases(List<TestFiles.Case> files, int atLeast, boolean weightsFilesAllowed) {
        Conformance conformance = new Conformance(BOUND, Checkpoints::load);
        assertTrue(files.size() >= atLeast, "reference cases not found: " + files.size() + " files");
        return files.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Conformance.Row r = conformance.run(c.root(), c.file());
            if (weightsFilesAllowed && r.status() == Conformance.Status.SKIP) {
                return;
            }
            assertEquals(Conformance.Status.PASS, r.status(), r.toString());
            assertTrue(r.error() >= 0 && r.error() <= BOUND, r.toString());
        }));
    }
}
