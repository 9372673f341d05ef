package io.motionkernels.conformance;

import io.motionkernels.checkpoint.Checkpoints;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every reference case of the original implementation, within the float32 bound of FORMAT.md. */
class GoldenCasesTest {
    static Path golden() {
        return Path.of(System.getProperty("golden.dir", "../shared/golden"));
    }

    @TestFactory
    Stream<DynamicTest> everyReferenceCasePasses() {
        Conformance conformance = new Conformance(1e-4, Checkpoints::load);
        Path root = golden();
        assertTrue(Conformance.findCases(root).size() >= 28, "reference cases not found under " + root);
        return Conformance.findCases(root).stream().map(p -> DynamicTest.dynamicTest(root.relativize(p).toString(), () -> {
            Conformance.Row r = conformance.run(root, p);
            if (r.status() == Conformance.Status.SKIP) {
                return;
            }
            assertEquals(Conformance.Status.PASS, r.status(), r.toString());
            assertNotEquals(Double.NaN, r.error());
        }));
    }
}
