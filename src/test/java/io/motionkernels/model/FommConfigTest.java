package io.motionkernels.model;

import io.motionkernels.FommModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FOMM configurations: the eight published ones bundled, FOMM.md's table, and clear errors. */
class FommConfigTest {
    @Test
    void everyPublishedConfigurationIsBundledAndReadsAsFommMdSays() {
        assertEquals(8, FommConfig.PUBLISHED.size());
        for (String name : FommConfig.PUBLISHED) {
            FommConfig c = FommConfig.published(name);
            assertEquals(10, c.numKp(), name);
            assertEquals(3, c.numChannels(), name);
            assertTrue(c.estimateJacobian(), name);
            assertEquals(new FommConfig.KpDetector(0.1, 32, 1024, 5, 0.25, name.equals("mgif-256"), 0), c.kpDetector(),
                    name);
            assertEquals(new FommConfig.Generator(64, 512, 2, 6, true, new FommConfig.DenseMotion(64, 1024, 5, 0.25, 0.01)),
                    c.generator(), name);
            assertEquals(new FommConfig.Normalization(false, true, true), c.normalization(), name);
            assertEquals(256, c.defaultSize(), name);
            assertArrayEquals(new int[] {58, 58}, c.heatmapSize(256, 256), name);
            c.checkSize(256, 256);
            assertTrue(FommConfig.names(name), name);
        }
        assertEquals(1, FommConfig.published("mgif-256").kpDetector().jacobianMaps(10));
    }

    @Test
    void fommAndMonkeyNetConfigurationsAreToldApart() throws IOException {
        for (String name : ModelConfig.PUBLISHED) {
            try (InputStream in = ModelConfig.class.getResourceAsStream("/io/motionkernels/configs/" + name + ".yaml")) {
                assertNotNull(in, name);
                assertFalse(FommConfig.isFomm(new String(in.readAllBytes(), StandardCharsets.UTF_8)), name);
            }
            assertFalse(FommConfig.names(name), name);
        }
        try (InputStream in = FommConfig.class.getResourceAsStream("/io/motionkernels/configs/fomm/vox-256.yaml")) {
            assertTrue(FommConfig.isFomm(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
    }

    @Test
    void theBundledCopiesEqualTheSharedConfigurations() throws IOException {
        Path shared = Path.of("../shared/configs/fomm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shared), "no ../shared/configs/fomm");
        for (String name : FommConfig.PUBLISHED) {
            try (InputStream in = FommModel.class.getResourceAsStream("/io/motionkernels/configs/fomm/" + name + ".yaml")) {
                assertArrayEquals(Files.readAllBytes(shared.resolve(name + ".yaml")), in.readAllBytes(), name);
            }
        }
    }

    @Test
    void mistakesAreNamed() {
        String ok = FommTestModels.yaml("    estimate_jacobian: True\n", "", "", "");
        assertTrue(FommConfig.parse("ok", ok).estimateJacobian());
        ConfigException typo = assertThrows(ConfigException.class,
                () -> FommConfig.parse("t", ok.replace("num_bottleneck_blocks", "num_botleneck_blocks")));
        assertTrue(typo.getMessage().contains("num_botleneck_blocks"), typo.getMessage());
        ConfigException pad = assertThrows(ConfigException.class,
                () -> FommConfig.parse("p", FommTestModels.yaml("", "    pad: 4\n", "", "")));
        assertTrue(pad.getMessage().contains("pad"), pad.getMessage());
        ConfigException scale = assertThrows(ConfigException.class,
                () -> FommConfig.parse("s", FommTestModels.yaml("", "    scale_factor: 2\n", "", "")));
        assertTrue(scale.getMessage().contains("scale_factor"), scale.getMessage());
        ConfigException name = assertThrows(ConfigException.class, () -> FommConfig.published("vox-265"));
        assertTrue(name.getMessage().contains("vox-256"), name.getMessage());
        ConfigException size = assertThrows(ConfigException.class,
                () -> FommConfig.published("vox-256").checkSize(250, 256));
        assertTrue(size.getMessage().contains("250x256"), size.getMessage());
    }
}
