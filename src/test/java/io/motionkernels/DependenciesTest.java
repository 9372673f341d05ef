package io.motionkernels;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A library user pays only for what they use: the CPU library's runtime dependencies are SnakeYAML
 * (and a JSON reader), everything else is optional, and CPU inference runs without the optional
 * jars, while asking for CUDA without them names each one to add.
 */
class DependenciesTest {
    /** What every application that depends on motion-kernels gets. */
    private static final Set<String> RUNTIME = Set.of("org.yaml:snakeyaml", "com.fasterxml.jackson.core:jackson-core");

    record Dependency(String groupId, String artifactId, String version, String classifier, String scope,
                      boolean optional) {
        String key() {
            return groupId + ":" + artifactId;
        }
    }

    static List<Dependency> pomDependencies() throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File("pom.xml"));
        // project/dependencies itself, not a profile's or dependencyManagement's
        Element deps = child(doc.getDocumentElement(), "dependencies");
        List<Dependency> out = new ArrayList<>();
        NodeList list = deps.getElementsByTagName("dependency");
        for (int i = 0; i < list.getLength(); i++) {
            Element d = (Element) list.item(i);
            out.add(new Dependency(text(d, "groupId"), text(d, "artifactId"), text(d, "version"), text(d, "classifier"),
                    text(d, "scope"), "true".equals(text(d, "optional"))));
        }
        return out;
    }

    private static String text(Element e, String tag) {
        Element c = child(e, tag);
        return c == null ? null : c.getTextContent().trim();
    }

    private static Element child(Element e, String tag) {
        for (org.w3c.dom.Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) {
                return c;
            }
        }
        return null;
    }

    private static boolean runtime(Dependency d) {
        return d.scope() == null || d.scope().equals("compile") || d.scope().equals("runtime");
    }

    @Test
    void everyRuntimeDependencyButSnakeYamlAndJsonIsOptional() throws Exception {
        List<Dependency> deps = pomDependencies();
        Set<String> mandatory = deps.stream().filter(d -> runtime(d) && !d.optional()).map(Dependency::key)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(mandatory.contains("org.yaml:snakeyaml"), mandatory.toString());
        assertTrue(RUNTIME.containsAll(mandatory), "non-optional runtime dependencies beyond " + RUNTIME + ": " + mandatory);
        for (String optional : List.of("info.picocli:picocli", "org.jcuda:jcuda", "org.jcuda:jcuda-natives",
                "org.bytedeco:cuda", "org.bytedeco:javacpp")) {
            assertTrue(deps.stream().anyMatch(d -> d.key().equals(optional) && d.optional()), optional + " must be optional");
        }
    }

    /** The README's dependency blocks name the pom's coordinates: the library's, and the CUDA and CLI jars'. */
    @Test
    void readmeGivesThePomsDependencyBlocks() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        StringBuilder xml = new StringBuilder("<blocks>");
        Matcher m = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (m.find()) {
            xml.append(m.group(1));
        }
        xml.append("</blocks>");
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(xml.toString().getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        Set<String> documented = new TreeSet<>();
        NodeList list = root.getElementsByTagName("dependency");
        for (int i = 0; i < list.getLength(); i++) {
            Element d = (Element) list.item(i);
            documented.add(text(d, "groupId") + ":" + text(d, "artifactId") + ":" + text(d, "version") + ":" + text(d, "classifier"));
        }
        var project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File("pom.xml")).getDocumentElement();
        String self = text(project, "groupId") + ":" + text(project, "artifactId") + ":" + text(project, "version") + ":null";
        assertTrue(documented.contains(self), self + " not in the README's blocks " + documented);
        String picocli = text(child(project, "properties"), "picocli.version");
        for (Dependency d : pomDependencies()) {
            if (d.optional() && (Set.of("org.jcuda", "info.picocli").contains(d.groupId())
                    || d.groupId().equals("org.bytedeco") && Set.of("cuda", "javacpp").contains(d.artifactId()))) {
                String version = d.version().equals("${picocli.version}") ? picocli : d.version();
                String c = d.key() + ":" + version + ":" + d.classifier();
                assertTrue(documented.contains(c), c + " not in the README's blocks " + documented);
            }
        }
    }

    /**
     * The library and its non-optional dependencies alone, in a JVM of their own: the demo model
     * animates the sample photo with the sample GIF on the CPU (AUTO and CPU), and Backend.CUDA
     * names every CUDA dependency of the pom, with its version and classifier.
     */
    @Test
    void cpuInferenceRunsWithoutTheOptionalJars() throws Exception {
        List<String> cp = new ArrayList<>(List.of(Path.of("target", "classes").toAbsolutePath().toString(),
                Path.of("target", "test-classes").toAbsolutePath().toString()));
        String[] testPath = System.getProperty("java.class.path").split(File.pathSeparator);
        for (String entry : testPath) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("snakeyaml-") || name.startsWith("jackson-core-")) {
                cp.add(entry);
            }
        }
        assertTrue(cp.size() >= 3, "SnakeYAML not found on the test class path: " + String.join(File.pathSeparator, testPath));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx1g", "-cp", String.join(File.pathSeparator, cp),
                CpuOnlyMain.class.getName(), TestFiles.samples().toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "did not finish");
        System.out.print(out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("AUTO -> CPU: animated"), out);
        assertTrue(out.contains("CPU -> CPU: animated"), out);
        assertFalse(out.contains("NoClassDefFoundError"), out);
        String cuda = out.lines().filter(l -> l.startsWith("CUDA: ")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertTrue(cuda.contains("needs these dependencies"), cuda);
        Stream.of(pomDependencies().toArray(Dependency[]::new))
                .filter(d -> d.groupId().equals("org.jcuda")
                        || d.groupId().equals("org.bytedeco") && Set.of("cuda", "javacpp").contains(d.artifactId()))
                .forEach(d -> {
                    String coordinate = d.key() + ":" + d.version() + (d.classifier() == null ? "" : ":" + d.classifier());
                    assertTrue(cuda.contains(coordinate), "message should name " + coordinate + ": " + cuda);
                });
    }
}
