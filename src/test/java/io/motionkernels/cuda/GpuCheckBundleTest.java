package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU check's bundle and script, on this machine without a GPU: native-tests/bundle.sh lays
 * out the bundle (--stage: its tree, with the jlink runtime, without the xz pass, which takes
 * minutes here), and then (1) the bundle beside the checkout fits what a device call carries,
 * (2) the bundle's own runtime resolves every class each stage loads, up to the clean refusal
 * for lack of a GPU, and (3) gpu-check.sh runs every stage, in order, and writes its summary
 * although each stage fails.
 */
class GpuCheckBundleTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final long CARRY_LIMIT = 64L << 20;
    private static Path stage;

    private static boolean hasDriver() {
        return Stream.of("/dev/nvidiactl", "/proc/driver/nvidia/version").anyMatch(p -> Files.exists(Path.of(p)));
    }

    @BeforeAll
    static void layOutTheBundle() throws Exception {
        stage = ROOT.resolve("target/gpu-check-stage");
        String jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.endsWith(".jar")).collect(Collectors.joining(":"));
        Result r = run(List.of("bash", "native-tests/bundle.sh", "--stage", stage.toString()),
                Map.of("BUNDLE_JARS", jars), 300);
        assertEquals(0, r.rc, "bundle.sh --stage failed:\n" + r.out);
    }

    private record Result(int rc, String out, String err) {
        /** stderr without the JVM's note about the incubating Vector API module. */
        List<String> errorLines() {
            return err.lines().filter(l -> !l.isBlank() && !l.contains("Using incubator modules")).toList();
        }
    }

    private static Result run(List<String> command, Map<String, String> env, int seconds) throws Exception {
        Path out = Files.createTempFile("gpu-check-test", ".out");
        Path err = Files.createTempFile("gpu-check-test", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " ran over " + seconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The bundle's java on the bundle's class path, as gpu-check.sh starts it. */
    private static List<String> java(String... args) {
        List<String> c = new ArrayList<>(List.of(stage.resolve("jre/bin/java").toString(), "-Xmx2g",
                "--add-modules", "jdk.incubator.vector",
                "-Dorg.bytedeco.javacpp.cachedir=" + stage.resolve("javacpp-cache"), "-cp",
                stage.resolve("classes") + ":" + ROOT.resolve("src/main/resources") + ":" + stage.resolve("test-classes")
                        + ":" + stage.resolve("lib") + "/*"));
        c.addAll(List.of(args));
        return c;
    }

    private static long treeBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void bundleHoldsOnlyWhatRunsAndFitsBesideTheCheckout() throws Exception {
        try (Stream<Path> s = Files.walk(stage)) {
            List<String> data = s.map(p -> stage.relativize(p).toString())
                    .filter(p -> p.endsWith(".safetensors") || p.endsWith(".pth") || p.endsWith(".tar")
                            || p.startsWith("test-classes/golden") || p.startsWith("test-classes/cases")
                            || p.startsWith("classes/io/motionkernels/demo"))
                    .toList();
            assertEquals(List.of(), data, "weights or reference cases the checkout already holds");
        }
        Result modules = run(List.of(stage.resolve("jre/bin/java").toString(), "--list-modules"), Map.of(), 60);
        for (String m : Files.readAllLines(ROOT.resolve("native-tests/jre-modules.txt"))) {
            if (!m.isBlank() && !m.startsWith("#")) {
                assertTrue(modules.out.contains(m.trim() + "@"), m + " missing from the runtime: " + modules.out);
            }
        }
        assertTrue(modules.out.contains("java.desktop@"), "SnakeYAML needs java.beans");
        // xz -6 packs no smaller than the bundle's xz -9 (and within about 2% of it): an upper bound
        // tight enough to tell a bundle that fits from one that does not, in well under a minute.
        Result packed = run(List.of("bash", "-c", "tar -C '" + stage + "' -cf - . | xz -6 -T0 | wc -c"), Map.of(), 300);
        assertEquals(0, packed.rc, packed.err);
        long bundle = Long.parseLong(packed.out.trim());
        Result files = run(List.of("bash", "-c", "git ls-files -z --cached --others --exclude-standard"
                + " | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}'"), Map.of(), 120);
        long checkout = Long.parseLong(files.out.trim());
        assertTrue(checkout > 1 << 20, "git ls-files saw no checkout: " + files.out + files.err);
        System.out.printf("gpu-check bundle: %d KiB uncompressed, at most %d KiB packed; checkout %d KiB; "
                + "sum %d KiB of %d%n", treeBytes(stage) >> 10, bundle >> 10, checkout >> 10, (bundle + checkout) >> 10,
                CARRY_LIMIT >> 10);
        assertTrue(bundle + checkout < CARRY_LIMIT, "bundle (at most " + (bundle >> 10) + " KiB) + checkout ("
                + (checkout >> 10) + " KiB) is over the 64 MiB a device call carries");
    }

    @Test
    void everyStageLoadsItsClassesAndRefusesCleanlyWithoutAGpu() throws Exception {
        assumeFalse(hasDriver(), "this machine has an NVIDIA driver: gpu-check.sh itself is the test");
        String cases = ROOT.resolve("src/test/resources/golden/shapes").toString();
        List<List<String>> refusing = List.of(
                java("io.motionkernels.cuda.GpuCheck", "verify", "--precision", "strict", cases),
                java("io.motionkernels.cuda.GpuCheck", "verify", "--precision", "fast", "--replay", "--poison", cases),
                java("io.motionkernels.cuda.GpuCheck", "timings", "--config", "nemo"),
                java("io.motionkernels.cuda.GpuCheck", "timings", "--config", "vox"),
                java("io.motionkernels.cuda.GpuCheck", "verify", "--precision", "strict",
                        ROOT.resolve("src/test/resources/golden-fomm").toString()),
                java("io.motionkernels.cuda.GpuCheck", "timings", "--config", "vox-256"),
                java("io.motionkernels.cuda.GpuCheck", "convs", "--config", "shapes", "--config", "vox"));
        List<List<String>> all = new ArrayList<>(refusing);
        boolean harness = Files.exists(stage.resolve("test-classes/io/motionkernels/engine/OpsHarness.class"));
        if (harness) {
            all.add(java("io.motionkernels.engine.OpsHarness", "--device", "cuda"));
        }
        for (List<String> c : all) {
            Result r = run(c, Map.of(), 120);
            String what = String.join(" ", c.subList(c.indexOf("-cp") + 2, c.size()));
            assertEquals(2, r.rc, what + ": " + r.out + r.err);
            List<String> errors = r.errorLines();
            assertEquals(1, errors.size(), what + ": one error line expected, got " + errors);
            assertTrue(errors.get(0).startsWith("error: "), errors.get(0));
            assertTrue(errors.get(0).contains("CUDA") || errors.get(0).contains("cuda"), errors.get(0));
            assertFalse(r.err.contains("Exception") || r.out.contains("Exception"), what + ": " + r.out + r.err);
        }
        Result info = run(java("io.motionkernels.cli.Main", "info"), Map.of(), 120);
        assertEquals(0, info.rc, info.out + info.err);
        assertTrue(info.out.contains("cuda: not usable: "), info.out);
        assertEquals(List.of(), info.errorLines());
        // A wrong argument is the user's error, also before any GPU work.
        Result bad = run(java("io.motionkernels.cuda.GpuCheck", "timings", "--config", "no-such-config"), Map.of(), 120);
        assertEquals(2, bad.rc, bad.out + bad.err);
        assertEquals(1, bad.errorLines().size(), bad.err);
    }

    @Test
    void scriptRunsEveryStageInOrderAndSummarisesAlthoughEachFails(@TempDir Path tmp) throws Exception {
        assumeFalse(hasDriver(), "this machine has an NVIDIA driver");
        Path out = tmp.resolve("out");
        Result r = run(List.of("bash", "native-tests/gpu-check.sh"), Map.of("GPU_CHECK_WORK", stage.toString(),
                "OUT", out.toString(), "PYTHON", "/nonexistent/python3"), 300);
        assertEquals(1, r.rc, r.out + r.err);
        List<String> lines = stageLines(out);
        List<String> order = List.of("env", "probe", "ops", "convs", "verify strict", "verify fast+replay+poison",
                "timings nemo", "timings vox", "verify fomm", "timings vox-256", "sanitizer");
        List<String> names = lines.stream().map(l -> l.substring(5, 33).trim().replaceAll("^ops .*", "ops")).distinct()
                .toList();
        assertEquals(order, names, String.join("\n", lines));
        for (String l : lines) {
            assertTrue(l.startsWith("FAIL ") || l.startsWith("SKIP "), l);
        }
        // The Java stages got as far as the refusal, not a missing class.
        assertTrue(lines.stream().filter(l -> l.contains("verify") || l.contains("timings") || l.contains(" convs "))
                .allMatch(l -> l.contains("refused (exit 2): error: CUDA is not usable here")), String.join("\n", lines));
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.count() <= 8, "more files in $OUT than a device call brings back");
        }
    }

    @Test
    void scriptWithoutABundleSkipsTheJavaStagesAndStillSummarises(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Result r = run(List.of("bash", "native-tests/gpu-check.sh"), Map.of("GPU_CHECK_BUNDLE",
                tmp.resolve("none.tar.xz").toString(), "OUT", out.toString(), "PYTHON", "/nonexistent/python3"), 120);
        List<String> lines = stageLines(out);
        assertEquals(11, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches("(PASS|FAIL) env .*"), lines.get(0));
        for (String l : lines.subList(1, lines.size())) {
            assertTrue(l.startsWith("SKIP ") && l.endsWith("no bundle"), l);
        }
        assertTrue(r.out.contains("no bundle"), r.out);
    }

    @Test
    void aSpentBudgetSkipsTheJavaStagesInsteadOfOverrunning(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        long t0 = System.nanoTime();
        run(List.of("bash", "native-tests/gpu-check.sh"), Map.of("GPU_CHECK_WORK", stage.toString(),
                "OUT", out.toString(), "PYTHON", "/nonexistent/python3", "GPU_CHECK_SECONDS", "1"), 120);
        List<String> lines = stageLines(out);
        for (String name : List.of("convs", "verify strict", "verify fast+replay+poison", "timings nemo", "timings vox",
                "verify fomm", "timings vox-256")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("SKIP " + name + " ") && l.contains("no time left")),
                    name + ":\n" + String.join("\n", lines));
        }
        assertTrue((System.nanoTime() - t0) / 1e9 < 90, "a 1 s budget took " + (System.nanoTime() - t0) / 1e9 + " s");
    }

    private static List<String> stageLines(Path out) throws IOException {
        Path summary = out.resolve("summary.txt");
        assertTrue(Files.isRegularFile(summary), "no summary.txt");
        return Files.readAllLines(summary, StandardCharsets.UTF_8).stream()
                .filter(l -> l.matches("(PASS|FAIL|SKIP) .*")).toList();
    }
}
