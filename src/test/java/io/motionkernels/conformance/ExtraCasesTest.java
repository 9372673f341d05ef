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
 * The reference cases beyond the goldens (src/test/resources/cases, made by
 * src/test/python/make_cases.py): every published configuration and every model option of
 * SPEC.md, within the float32 bound of FORMAT.md.
 */
class ExtraCasesTest {
    static Path cases() {
        return Path.of(System.getProperty("cases.dir", "src/test/resources/cases"));
    }

    @TestFactory
    Stream<DynamicTest> everyExtraCasePasses() {
        Conformance conformance = new Conformance(1e-4, Checkpoints::load);
        Path root = cases();
        List<Path> files = Conformance.findCases(root);
        assertTrue(files.size() >= 34, "extra reference cases not found under " + root.toAbsolutePath());
        return files.stream().map(p -> DynamicTest.dynamicTest(root.relativize(p).toString(), () -> {
            Conformance.Row r = conformance.run(root, p);
            // Every file here is a model case: a skip would hide a case that never runs.
            assertEquals(Conformance.Status.PASS, r.status(), r.toString());
            assertTrue(r.error() >= 0 && r.error() <= 1e-4, r.toString());
        }));
    }
}
