package io.motionkernels.cpu;

import io.motionkernels.checkpoint.Safetensors;
import io.motionkernels.conformance.Comparison;
import io.motionkernels.conformance.OpCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every single-operation reference case in golden/ops reproduces within the float32 bound. */
class GoldenOpsTest {
    static final double BOUND = 1e-4;

    static Path opsDir() {
        String dir = System.getProperty("golden.dir", "../shared/golden");
        return Path.of(dir, "ops");
    }

    @TestFactory
    Stream<DynamicTest> everyOpCase() throws IOException {
        Path dir = opsDir();
        assertTrue(Files.isDirectory(dir), "golden ops folder missing: " + dir.toAbsolutePath());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no cases in " + dir);
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
