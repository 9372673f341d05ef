package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Java view of the kernels (names, parameter types) against the CUDA source itself. */
class KernelSourceTest {
    private static final Path KERNELS = Path.of("kernels");
    private static final Pattern DECL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)");

    record Decl(Path file, String name, String signature) {
    }

    static List<Decl> declarations() throws IOException {
        List<Decl> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(KERNELS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu")).sorted().toList()) {
                Matcher m = DECL.matcher(Files.readString(f));
                while (m.find()) {
                    out.add(new Decl(f, m.group(1), signature(m.group(1), m.group(2))));
                }
            }
        }
        return out;
    }

    static String signature(String kernel, String params) {
        StringBuilder sb = new StringBuilder();
        for (String p : params.split(",")) {
            String t = p.replaceAll("\\s+", " ").trim();
            if (t.contains("*")) {
                sb.append('p');
            } else if (t.startsWith("long long ")) {
                sb.append('l');
            } else if (t.startsWith("int ")) {
                sb.append('i');
            } else if (t.startsWith("float ")) {
                sb.append('f');
            } else {
                fail(kernel + ": parameter type of '" + t + "' has no letter");
            }
        }
        return sb.toString();
    }

    @Test
    void everyKernelInTheSourceIsInTheEnumWithTheSameParameters() throws IOException {
        Map<String, Decl> bySymbol = new HashMap<>();
        for (Decl d : declarations()) {
            assertTrue(bySymbol.put(d.name(), d) == null, "kernel " + d.name() + " declared twice");
        }
        for (Kernel k : Kernel.values()) {
            Decl d = bySymbol.remove(k.symbol());
            assertTrue(d != null, k + " (" + k.symbol() + ") is not declared extern \"C\" in kernels/");
            assertEquals(d.signature(), k.signature(), k + " parameters differ from " + d.file());
        }
        assertTrue(bySymbol.isEmpty(), "kernels missing from the Kernel enum: " + bySymbol.keySet());
    }

    @Test
    void everyKernelFileHeaderListsItsKernels() throws IOException {
        for (Decl d : declarations()) {
            String text = Files.readString(d.file());
            int firstCode = text.indexOf("#include");
            assertTrue(firstCode > 0, d.file() + " opens with no header comment");
            assertTrue(text.substring(0, firstCode).contains(d.name() + "("),
                    d.file() + "'s header does not list " + d.name());
        }
    }

    @Test
    void theUnityFileIncludesEveryKernelFile() throws IOException {
        String unity = Files.readString(KERNELS.resolve("motion_kernels.cu"));
        try (Stream<Path> files = Files.list(KERNELS)) {
            List<String> cu = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cu") && !n.equals("motion_kernels.cu")).toList();
            assertFalse(cu.isEmpty());
            for (String n : cu) {
                assertTrue(unity.contains("#include \"" + n + "\""), "motion_kernels.cu does not include " + n);
            }
        }
    }

    @Test
    void theSignatureParserReadsEachType() {
        assertEquals("ppilf", signature("k", "const float* __restrict__ a, float* b, int c, long long d, float e"));
    }
}
