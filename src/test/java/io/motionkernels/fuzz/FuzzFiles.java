package io.motionkernels.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Support for the fuzz targets ({@code *FuzzTest} classes): the readers take paths, so each input
 * is written to one reused temporary file. A target passes an input when the reader returns or
 * throws the reader's own exception type; anything else is a finding. Each target class also has
 * a static {@code fuzzerTestOneInput(byte[])} for Jazzer's command line (fuzz/run.sh).
 */
public final class FuzzFiles {
    private static final ThreadLocal<Path> FILE = ThreadLocal.withInitial(() -> {
        try {
            Path p = Files.createTempFile("motion-kernels-fuzz-", ".bin");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private FuzzFiles() {
    }

    /** {@code data} as the content of the (reused) temporary file. */
    public static Path write(byte[] data) {
        Path p = FILE.get();
        try {
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
