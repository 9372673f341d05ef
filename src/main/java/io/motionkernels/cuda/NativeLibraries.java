package io.motionkernels.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the shared libraries cuDNN needs through JavaCPP, the way the dynamic loader would look
 * for them (LD_LIBRARY_PATH, java.library.path, the ld.so cache, the usual folders), so that a
 * failed load can name what is missing instead of quoting an UnsatisfiedLinkError. A hint only:
 * the load itself is the judge.
 */
final class NativeLibraries {
    /**
     * What JavaCPP's cuDNN binding loads: the CUDA 13 runtime, cuBLAS and cuBLASLt (its cudnn
     * preset inherits the cublas one, which loads them first), cuDNN 9 and the four parts
     * libjnicudnn.so links against; in the order the loader needs them.
     */
    static final List<String> CUDNN_NEEDS = List.of("libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13",
            "libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9");

    private static final List<String> USUAL = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib64", "/usr/lib64", "/usr/lib", "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib");

    private NativeLibraries() {
    }

    /** Where each of {@code names} is (a folder, or "ld.so.cache"), or absent from the map when not found. */
    static Map<String, String> locate(List<String> names, List<Path> dirs, String ldCache) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String name : names) {
            for (Path d : dirs) {
                if (Files.exists(d.resolve(name))) {
                    found.put(name, d.toString());
                    break;
                }
            }
            if (!found.containsKey(name) && ldCache != null && ldCache.contains(name)) {
                found.put(name, "ld.so.cache");
            }
        }
        return found;
    }

    /** The names {@link #locate} did not find, in order. */
    static List<String> missing(List<String> names, Map<String, String> found) {
        List<String> m = new ArrayList<>();
        for (String n : names) {
            if (!found.containsKey(n)) {
                m.add(n);
            }
        }
        return m;
    }

    /** The folders the dynamic loader and JavaCPP search on this machine, in order, without repeats. */
    static List<Path> searchDirs(String ldLibraryPath, String javaLibraryPath) {
        Set<String> dirs = new LinkedHashSet<>();
        for (String list : new String[] {ldLibraryPath, javaLibraryPath}) {
            if (list != null) {
                for (String d : list.split(":")) {
                    if (!d.isBlank()) {
                        dirs.add(d);
                    }
                }
            }
        }
        dirs.addAll(USUAL);
        List<Path> out = new ArrayList<>();
        for (String d : dirs) {
            out.add(Path.of(d));
        }
        return out;
    }

    /** The ld.so cache's bytes as text (library names are plain strings in it), or null. */
    static String ldCache() {
        try {
            return new String(Files.readAllBytes(Path.of("/etc/ld.so.cache")), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Where this machine has the libraries cuDNN needs. */
    static Map<String, String> locateCudnnNeeds() {
        return locate(CUDNN_NEEDS, searchDirs(System.getenv("LD_LIBRARY_PATH"), System.getProperty("java.library.path")),
                ldCache());
    }

    /** The reason for a failed cuDNN load: the cause, what is missing, what to do. */
    static String cudnnLoadFailure(String cause, List<String> missing) {
        String what = missing.isEmpty() ? ""
                : "; not found on LD_LIBRARY_PATH or in the loader's cache: " + String.join(", ", missing);
        return "cuDNN 9 could not be loaded (" + cause + ")" + what + "; put the folders holding "
                + String.join(", ", CUDNN_NEEDS) + " on LD_LIBRARY_PATH (JavaCPP's cuDNN binding needs each of them)";
    }
}
