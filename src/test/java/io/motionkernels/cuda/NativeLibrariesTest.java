package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
    @Test
    void cudnnNeedsCublasAndCublasLt() {
        // JavaCPP's cudnn preset inherits the cublas one: both libraries are loaded before cuDNN.
        assertTrue(NativeLibraries.CUDNN_NEEDS.containsAll(List.of("libcublas.so.13", "libcublasLt.so.13",
                "libcudart.so.13", "libcudnn.so.9")), NativeLibraries.CUDNN_NEEDS.toString());
    }

    @Test
    void locatesInFoldersInOrderThenTheLoaderCache(@TempDir Path tmp) throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.createFile(b.resolve("libcudart.so.13"));
        Files.createFile(a.resolve("libcudnn.so.9"));
        Files.createFile(b.resolve("libcudnn.so.9"));
        List<String> names = List.of("libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13", "libcudnn.so.9");
        Map<String, String> found = NativeLibraries.locate(names, List.of(a, b), "\0libcublas.so.13\0/usr/lib/x\0");
        assertEquals(b.toString(), found.get("libcudart.so.13"));
        assertEquals(a.toString(), found.get("libcudnn.so.9"));
        assertEquals("ld.so.cache", found.get("libcublas.so.13"));
        assertEquals(List.of("libcublasLt.so.13"), NativeLibraries.missing(names, found));
    }

    @Test
    void searchDirsJoinBothPathsWithoutRepeatsOrBlanks() {
        List<Path> dirs = NativeLibraries.searchDirs("/x/lib::/y/lib", "/y/lib:/usr/lib/x86_64-linux-gnu");
        assertEquals(Path.of("/x/lib"), dirs.get(0));
        assertEquals(Path.of("/y/lib"), dirs.get(1));
        assertEquals(dirs.size(), dirs.stream().distinct().count());
        assertTrue(dirs.contains(Path.of("/usr/local/cuda/lib64")));
    }

    @Test
    void failureNamesWhatIsMissingAndWhatToDo() {
        String msg = NativeLibraries.cudnnLoadFailure("UnsatisfiedLinkError: no jnicudnn",
                List.of("libcublas.so.13", "libcublasLt.so.13"));
        assertTrue(msg.startsWith("cuDNN 9 could not be loaded (UnsatisfiedLinkError: no jnicudnn)"), msg);
        assertTrue(msg.contains("not found on LD_LIBRARY_PATH or in the loader's cache: libcublas.so.13, "
                + "libcublasLt.so.13"), msg);
        assertTrue(msg.contains("LD_LIBRARY_PATH"), msg);
        String none = NativeLibraries.cudnnLoadFailure("x", List.of());
        assertFalse(none.contains("not found"), none);
        assertTrue(none.contains("libcublasLt.so.13"), none);
    }

    @Test
    void probeOnThisMachineNamesTheMissingCublasLibraries() {
        // This machine has no CUDA libraries at all: the cuDNN answer must list cuBLAS among them.
        Map<String, String> found = NativeLibraries.locateCudnnNeeds();
        List<String> missing = NativeLibraries.missing(NativeLibraries.CUDNN_NEEDS, found);
        org.junit.jupiter.api.Assumptions.assumeTrue(missing.contains("libcublas.so.13"),
                "this machine has cuBLAS 13: " + found);
        System.setProperty("org.bytedeco.javacpp.cachedir", Path.of("target", "javacpp-cache").toAbsolutePath().toString());
        String answer = CudaAvailability.probeCudnn();
        assertTrue(answer.startsWith("!cuDNN 9 could not be loaded"), answer);
        String marker = "not found on LD_LIBRARY_PATH or in the loader's cache: ";
        assertTrue(answer.contains(marker), answer);
        String named = answer.substring(answer.indexOf(marker) + marker.length()).split(";")[0];
        assertTrue(named.contains("libcublas.so.13") && named.contains("libcublasLt.so.13"), named);
    }
}
