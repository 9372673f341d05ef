package io.motionkernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where the tests find their files, so that a clone of the repository alone passes.
 *
 * <p>The reference cases ship as test resources: {@code golden/} is a copy of
 * {@code ../shared/golden} without its torch-written checkpoints (the build copies the demo
 * weights, the same file as {@code golden/checkpoints/shapes.safetensors}, into it rather than
 * the repository holding them twice), {@code cases/} the cases made by
 * {@code src/test/python/make_cases.py}. Where a {@code ../shared/golden} is present (property
 * {@code golden.dir}) it only adds: its cases that the copy lacks, and its torch checkpoints.
 */
public final class TestFiles {
    private TestFiles() {
    }

    /** A reference case: the folder its name is relative to, and the file. */
    public record Case(Path root, Path file) {
        public String name() {
            return root.relativize(file).toString();
        }
    }

    /** The shipped copy of the goldens (target/test-classes/golden). */
    public static Path golden() {
        return resourceFolder("golden");
    }

    /** The shipped cases beyond the goldens (target/test-classes/cases). */
    public static Path extraCases() {
        return resourceFolder("cases");
    }

    /** The shipped copy of the First Order Motion Model cases (target/test-classes/golden-fomm). */
    public static Path fommGolden() {
        return resourceFolder("golden-fomm");
    }

    /** {@code ../shared/golden-fomm} (beside the {@code golden.dir} folder) when it is there. */
    public static Optional<Path> sharedFommGolden() {
        return sharedGolden().map(g -> g.toAbsolutePath().normalize().resolveSibling("golden-fomm"))
                .filter(Files::isDirectory);
    }

    /** Every FOMM case: the shipped ones, then those of ../shared/golden-fomm that the copy lacks. */
    public static List<Case> fommCases() {
        List<Case> out = new ArrayList<>(list(fommGolden()));
        Set<String> shipped = out.stream().map(Case::name).collect(Collectors.toSet());
        sharedFommGolden().ifPresent(shared -> list(shared).stream()
                .filter(c -> !shipped.contains(c.name())).forEach(out::add));
        return out;
    }

    /** {@code ../shared/golden} (or the {@code golden.dir} property) when it is there. */
    public static Optional<Path> sharedGolden() {
        Path p = Path.of(System.getProperty("golden.dir", "../shared/golden"));
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /**
     * Every golden case under the given folders of the golden layout (all of it when none is
     * given): the shipped ones, then the shared folder's cases that the shipped copy lacks.
     */
    public static List<Case> goldenCases(String... folders) {
        List<Case> out = new ArrayList<>(list(golden(), folders));
        Set<String> shipped = out.stream().map(Case::name).collect(Collectors.toSet());
        sharedGolden().ifPresent(shared -> list(shared, folders).stream()
                .filter(c -> !shipped.contains(c.name())).forEach(out::add));
        return out;
    }

    /** A torch-written checkpoint of ../shared/golden/checkpoints, which the repository does not ship. */
    public static Optional<Path> sharedCheckpoint(String name) {
        return sharedGolden().map(g -> g.resolve("checkpoints").resolve(name)).filter(Files::isRegularFile);
    }

    /** The trained shapes weights (the bundled demo model's file). */
    public static Path shapesWeights() {
        return golden().resolve("checkpoints/shapes.safetensors");
    }

    /** The repository's sample media (samples/shapes). */
    public static Path samples() {
        return Path.of("samples", "shapes");
    }

    /** The published configurations as files: ../shared/configs when present. */
    public static Optional<Path> sharedConfigs() {
        return sharedGolden().map(g -> g.toAbsolutePath().normalize().resolveSibling("configs")).filter(Files::isDirectory);
    }

    /** The published configurations the library bundles, as files. */
    public static Path bundledConfigs() {
        return Path.of("src", "main", "resources", "io", "motionkernels", "configs");
    }

    private static List<Case> list(Path root, String... folders) {
        List<Path> dirs = folders.length == 0 ? List.of(root) : Stream.of(folders).map(root::resolve).toList();
        List<Case> out = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                        .sorted().forEach(p -> out.add(new Case(root, p)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static Path resourceFolder(String name) {
        URL url = TestFiles.class.getResource("/" + name + "/README.md");
        if (url == null) {
            throw new IllegalStateException("test resources folder '" + name + "' not on the class path");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
