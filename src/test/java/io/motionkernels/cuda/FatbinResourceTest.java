package io.motionkernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The build's cuda-kernels profile compiled kernels/ (warnings as errors) and put the result in the jar. */
class FatbinResourceTest {
    /** The fatbin container's magic number, little-endian at offset 0. */
    private static final int FATBIN_MAGIC = 0xBA55ED50;

    @Test
    void fatbinIsInTheJarWhenTheProfileRan() {
        assumeTrue(Boolean.getBoolean("motionkernels.cuda.kernelsBuilt"),
                "the cuda-kernels profile did not run (no nvcc at /usr/local/bin/nvcc)");
        assertTrue(KernelModule.fatbinPresent(), KernelModule.FATBIN_RESOURCE + " missing although nvcc ran");
        byte[] image = KernelModule.readFatbin();
        assertTrue(image.length > 1024, "fatbin of " + image.length + " bytes");
        assertEquals(FATBIN_MAGIC, ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        // Entry names are stored as text (PTX and ELF symbol tables); a renamed kernel fails here.
        String text = new String(image, StandardCharsets.ISO_8859_1);
        for (Kernel k : Kernel.values()) {
            assertTrue(text.contains(k.symbol()), k.symbol() + " is not in the fatbin");
        }
    }

    @Test
    void withoutTheFatbinLoadingSaysSoInWords() {
        assumeTrue(!KernelModule.fatbinPresent(), "the fatbin is present");
        try {
            KernelModule.readFatbin();
        } catch (io.motionkernels.MotionKernelsException e) {
            assertTrue(e.getMessage().contains("nvcc"), e.getMessage());
            return;
        }
        throw new AssertionError("readFatbin did not fail without the fatbin");
    }
}
