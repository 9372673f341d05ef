package io.motionkernels.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * Checks the ONNX exports (bench/onnx/export_monkeynet.py) against their reference cases through
 * ONNX Runtime, the way OrtBench's setup does, and prints every error: bench/run-comparison.sh
 * runs it right after the export, so that a wrong export stops the comparison before any timing.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.motionkernels.bench.OrtCheck [CONFIG...]</pre>
 */
public final class OrtCheck {
    private OrtCheck() {
    }

    public static void main(String[] args) throws Exception {
        List<String> configs = args.length > 0 ? List.of(args) : List.of("shapes", "nemo", "moving-gif", "vox");
        Path dir = OrtModel.DEFAULT_DIR;
        boolean failed = false;
        for (String config : configs) {
            try (OrtModel m = new OrtModel(dir, config, 2, false)) {
                for (OrtModel.CaseResult r : m.check(dir)) {
                    StringBuilder each = new StringBuilder();
                    r.errors().forEach((k, v) -> each.append(String.format(" %s %.1e", k, v)));
                    System.out.printf("ort %-10s %-58s %.2e (%s)%n", config, r.path(), r.worst(), each.toString().trim());
                }
                System.out.printf("ort %-10s every case within %s (seed %s, %s)%n", config, m.metadata.get("bound"),
                        m.metadata.get("seed"), m.metadata.get("exporter"));
            } catch (IllegalStateException e) {
                System.out.println("ort " + config + " FAILED: " + e.getMessage());
                failed = true;
            }
        }
        if (failed) {
            throw new IllegalStateException("an ONNX export misses its reference cases (see above)");
        }
    }
}
