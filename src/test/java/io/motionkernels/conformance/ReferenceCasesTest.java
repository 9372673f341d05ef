package io.motionkernels.conformance;

import io.motionkernels.checkpoint.Checkpoints;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reference case within the float32 bound of FORMAT.md: the original implementation's
 * goldens (../shared/golden) and the cases beyond them (src/test/resources/cases, made by
 * src/test/python/make_cases.py: every published configuration and every model option of SPEC.md).
 */
class ReferenceCasesTest {
    private static final double BOUND = 1e-4;

    @TestFactory
    Stream<DynamicTest> everyGoldenCasePasses() {
        // The goldens hold one weights file beside the cases, which is skipped.
        return cases(Path.of(System.getProperty("golden.dir", "../shared/golden")), 28, true);
    }

    @TestFactory
    Stream<DynamicTest> everyExtraCasePasses() {
        // Every file here is a model case: a skip would hide a case that never runs.
        return cases(Path.of(System.getProperty("cases.dir", "src/test/resources/cases")), 34, false);
    }

    private static Stream<DynamicTest> cases(Path root, int atLeast, boolean weightsFilesAllowed) {
        Conformance conformance = new Conformance(BOUND, Checkpoints::load);
        List<Path> files = Conformance.findCases(root);
        assertTrue(files.size() >= atLeast, "reference cases not found under " + root.toAbsolutePath());
        return files.stream().map(p -> DynamicTest.dynamicTest(root.relativize(p).toString(), () -> {
            Conformance.Row r = conformance.run(root, p);
            if (weightsFilesAllowed && r.status() == Conformance.Status.SKIP) {
                return;
            }
            assertEquals(Conformance.Status.PASS, r.status(), r.toString());
            assertTrue(r.error() >= 0 && r.error() <= BOUND, r.toString());
        }));
    }
}
