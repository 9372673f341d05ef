package io.motionkernels.model;

import io.motionkernels.TestFiles;
import io.motionkernels.tensor.KpVariance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ModelConfigTest {
    /** The published YAML files: the shared ones when present, else the library's bundled copies. */
    static Path configs() {
        return TestFiles.sharedConfigs().orElse(TestFiles.bundledConfigs());
    }

    @Test
    void publishedConfigurationsAreBundled() {
        for (String name : ModelConfig.PUBLISHED) {
            assertEquals(ModelConfig.load(TestFiles.bundledConfigs().resolve(name + ".yaml")), ModelConfig.published(name));
        }
        assertEquals(ModelConfig.published("vox"), ModelConfig.resolve("vox"));
        assertThrows(ConfigException.class, () -> ModelConfig.resolve("voxx"));
    }

    @Test
    void bundledConfigurationsMatchTheSharedOnes() {
        Path shared = TestFiles.sharedConfigs().orElse(null);
        assumeTrue(shared != null, "no ../shared/configs beside the clone: nothing to compare the bundled ones with");
        for (String name : ModelConfig.PUBLISHED) {
            assertEquals(ModelConfig.load(shared.resolve(name + ".yaml")), ModelConfig.published(name), name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"shapes", "nemo", "bair", "taichi", "actions", "moving-gif", "vox"})
    void everyPublishedConfigurationParses(String name) {
        ModelConfig c = ModelConfig.load(configs().resolve(name + ".yaml"));
        assertEquals(name, c.name());
        assertEquals(KpVariance.MATRIX, c.common().kpVariance());
        assertTrue(c.generator().denseMotion().useMask());
        assertEquals(c.common().numKp() + 1, c.generator().denseMotion().maskEmbedding().slots(c.common().numKp()));
    }

    @Test
    void voxUsesTrilinearSevenBlocksAndQuarterScale() {
        ModelConfig c = ModelConfig.load(configs().resolve("vox.yaml"));
        assertTrue(c.generator().trilinear());
        assertEquals(7, c.generator().numBlocks());
        assertEquals(0.25, c.kpDetector().scaleFactor());
        assertEquals(0.25, c.generator().denseMotion().scaleFactor());
        assertEquals(0.25, c.generator().kpEmbedding().scaleFactor());
        assertEquals(256, c.defaultSize());
        assertEquals(0.001, c.kpDetector().clipVariance());
    }

    @Test
    void defaultsFollowTheOriginalCode() {
        ModelConfig c = ModelConfig.load(configs().resolve("shapes.yaml"));
        assertNull(c.kpDetector().clipVariance());
        assertEquals(1.0, c.kpDetector().scaleFactor());
        assertEquals(0, c.generator().denseMotion().numGroupBlocks());
        assertFalse(c.generator().trilinear());
        ModelConfig.EmbeddingParams e = c.generator().kpEmbedding();
        assertFalse(e.addBackground());
        assertFalse(e.useDeformedSource());
        assertEquals(10.0, e.normConst());
        assertEquals(4, e.outChannels(4, 3));
        assertEquals(20, c.generator().denseMotion().maskEmbedding().outChannels(4, 3));
        assertTrue(c.normalization().moveLocation());
        assertEquals(64, c.defaultSize());
    }

    @Test
    void movingGifUsesDifferenceChannels() {
        ModelConfig c = ModelConfig.load(configs().resolve("moving-gif.yaml"));
        assertTrue(c.generator().denseMotion().maskEmbedding().useDifference());
        assertEquals(11 * 6, c.generator().denseMotion().maskEmbedding().outChannels(10, 3));
        assertFalse(c.normalization().moveLocation());
        assertEquals(128, c.defaultSize());
    }

    @Test
    void misspeltKeyIsRefusedByName() {
        String yaml = "model_params:\n  common_params: {num_kp: 4, num_channels: 3}\n"
                + "  kp_detector_params: {block_expansion: 8, max_features: 16, num_blocks: 2, temprature: 0.1}\n"
                + "  generator_params: {block_expansion: 8, max_features: 16, num_blocks: 2}\n";
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.parse("x", yaml));
        assertTrue(e.getMessage().contains("temprature"), e.getMessage());
        assertTrue(e.getMessage().contains("kp_detector_params"), e.getMessage());
    }

    @Test
    void wrongTypesAndMissingKeysAreNamed() {
        String missing = "model_params:\n  common_params: {num_kp: 4}\n"
                + "  kp_detector_params: {block_expansion: 8, max_features: 16, num_blocks: 2}\n"
                + "  generator_params: {block_expansion: 8, max_features: 16, num_blocks: 2}\n";
        assertTrue(assertThrows(ConfigException.class, () -> ModelConfig.parse("x", missing))
                .getMessage().contains("temperature"));
        String badType = missing.replace("num_kp: 4", "num_kp: four");
        assertTrue(assertThrows(ConfigException.class, () -> ModelConfig.parse("x", badType))
                .getMessage().contains("num_kp"));
        assertTrue(assertThrows(ConfigException.class, () -> ModelConfig.parse("x", "just: [text"))
                .getMessage().contains("YAML"));
        assertTrue(assertThrows(ConfigException.class, () -> ModelConfig.parse("x", "train_params: {}"))
                .getMessage().contains("model_params"));
        assertTrue(assertThrows(ConfigException.class, () -> ModelConfig.load(Path.of("no/such.yaml")))
                .getMessage().contains("does not exist"));
    }
}
