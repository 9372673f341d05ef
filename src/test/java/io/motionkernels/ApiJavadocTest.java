package io.motionkernels;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public API is documented: javadoc with every doclint check ({@code -Xdoclint:all}) over the
 * module's exported packages reports nothing, so a public or protected member without a comment,
 * a parameter without {@code @param} or a broken link fails the build.
 *
 * <p>This is the gate rather than the javadoc plugin's {@code failOnWarnings} (or {@code -Xwerror}):
 * on JDK 17 javadoc always adds "using incubating module(s): jdk.incubator.vector", a warning with
 * no source file that no option silences, because the module {@code requires static} the Vector
 * API. Here that one is set aside and every warning that points into a source file counts.
 */
class ApiJavadocTest {
    /** {@code File.java:12: warning: no comment} and the like: doclint's findings, which name a file. */
    private static final Pattern FINDING = Pattern.compile("^.+\\.java:\\d+: (warning|error): .*");

    @Test
    void exportedPackagesHaveCompleteJavadoc() throws IOException {
        ToolProvider javadoc = ToolProvider.findFirst("javadoc")
                .orElseThrow(() -> new AssertionError("no javadoc tool in this JDK (" + System.getProperty("java.home") + ")"));
        Path out = Files.createTempDirectory("motion-kernels-javadoc");
        try {
            List<String> args = new ArrayList<>(List.of("-quiet", "-Xdoclint:all", "-protected", "-Xmaxwarns", "10000",
                    "-Xmaxerrs", "10000", "-encoding", "UTF-8", "-d", out.toString(),
                    "--module-source-path", "io.motionkernels=" + Path.of("src", "main", "java").toAbsolutePath(),
                    "--module", "io.motionkernels"));
            String modulePath = modulePath();
            if (!modulePath.isEmpty()) {
                args.addAll(List.of("--module-path", modulePath));
            }
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            int status;
            try (PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8)) {
                status = javadoc.run(ps, ps, args.toArray(String[]::new));
            }
            String log = text.toString(StandardCharsets.UTF_8);
            List<String> findings = log.lines().filter(l -> FINDING.matcher(l).matches()).collect(Collectors.toList());
            assertTrue(findings.isEmpty(), findings.size() + " javadoc findings in the public API (document each"
                    + " public or protected member of an exported package, or make it package-private):\n"
                    + String.join("\n", findings));
            assertEquals(0, status, "javadoc failed:\n" + log);
            // the run documented the API (a wrong source path would find nothing to check)
            assertTrue(Files.exists(out.resolve(Path.of("io.motionkernels", "io", "motionkernels", "MotionModel.html"))),
                    "javadoc wrote no page for MotionModel:\n" + log);
        } finally {
            deleteTree(out);
        }
    }

    /**
     * The jars of the test class path that hold the modules {@code io.motionkernels} reads, and
     * those they read: the module's dependencies as a module path, without the test libraries
     * (jazzer's jars split a package, which a module path refuses).
     */
    private static String modulePath() {
        Map<String, String> jarOf = new HashMap<>();
        Map<String, Set<String>> requires = new HashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(p)) {
                continue;
            }
            try {
                for (ModuleReference m : ModuleFinder.of(p).findAll()) {
                    jarOf.putIfAbsent(m.descriptor().name(), entry);
                    requires.putIfAbsent(m.descriptor().name(), names(m.descriptor()));
                }
            } catch (FindException e) {
                // no module can be derived from this jar: nothing the library reads
            }
        }
        ModuleDescriptor self = ModuleFinder.of(Path.of("target", "classes")).find("io.motionkernels")
                .orElseThrow(() -> new AssertionError("target/classes holds no module io.motionkernels")).descriptor();
        Set<String> wanted = new TreeSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(names(self));
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (jarOf.containsKey(name) && wanted.add(name)) {
                todo.addAll(requires.get(name));
            }
        }
        return wanted.stream().map(jarOf::get).collect(Collectors.joining(File.pathSeparator));
    }

    private static Set<String> names(ModuleDescriptor d) {
        return d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
