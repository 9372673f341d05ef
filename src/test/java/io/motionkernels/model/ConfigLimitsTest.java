package io.motionkernels.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13 class 4: every field has a range, derived from the sizes where the architecture sets one. */
class ConfigLimitsTest {
    @TempDir
    Path tmp;

    private static String shapes() throws IOException {
        try (InputStream in = ModelConfig.class.getResourceAsStream("/io/motionkernels/configs/shapes.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** shapes.yaml with the first line ending in {@code key: old} changed to {@code key: value} under {@code block}. */
    private static String with(String block, String key, String value) throws IOException {
        String s = shapes();
        int b = s.indexOf(block + ":");
        assertTrue(b >= 0, block);
        int k = s.indexOf(" " + key + ":", b);
        assertTrue(k >= 0, key);
        int end = s.indexOf('\n', k);
        return s.substring(0, k) + " " + key + ": " + value + s.substring(end);
    }

    private static String refuse(String yaml, String... fragments) {
        long start = System.nanoTime();
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.parse("test", yaml));
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
        String msg = e.getMessage();
        for (String f : fragments) {
            assertTrue(msg.contains(f), "'" + f + "' not in: " + msg);
        }
        assertTrue(msg.length() < 400, () -> msg.length() + " characters: " + msg.substring(0, 400));
        return msg;
    }

    @Test
    void publishedConfigurationsAreWithinTheLimits() {
        for (String name : ModelConfig.PUBLISHED) {
            ModelConfig.published(name);
        }
    }

    @Test
    void blocksAreBoundedByTheFrameSize() throws IOException {
        refuse(with("kp_detector_params", "num_blocks", "31"), "kp_detector_params.num_blocks", "from 1 to 30");
        refuse(with("kp_detector_params", "num_blocks", "7"), "kp_detector_params.num_blocks is 7",
                "64x64", "at most 6");
        refuse(shapes().replace("    num_blocks: 5\n    num_refinement_blocks", "    num_blocks: 7\n    num_refinement_blocks"),
                "model_params.generator_params.num_blocks is 7", "at most 6");
        refuse(with("dense_motion_params", "num_blocks", "9"), "dense_motion_params.num_blocks is 9");
        refuse(with("generator_params", "num_refinement_blocks", "100000"), "num_refinement_blocks",
                "from 0 to 64");
    }

    @Test
    void sizesAndFactorsHaveRanges() throws IOException {
        refuse(with("kp_detector_params", "max_features", "100000000"), "kp_detector_params.max_features",
                "from 1 to 2048");
        refuse(with("generator_params", "block_expansion", "4096"), "generator_params.block_expansion");
        refuse(with("common_params", "num_kp", "1000000"), "num_kp", "from 1 to 256");
        refuse(with("common_params", "num_channels", "100"), "num_channels");
        refuse(with("kp_detector_params", "num_blocks", "10000000000"), "positive integer");
        String k = shapes().replace("    temperature: 0.1", "    temperature: 0.1\n    scale_factor: X");
        refuse(k.replace("X", "1e-300"), "kp_detector_params.scale_factor");
        refuse(k.replace("X", "1000"), "kp_detector_params.scale_factor");
        refuse(k.replace("X", ".nan"), "kp_detector_params.scale_factor");
        refuse(with("kp_detector_params", "temperature", "1e-320"), "kp_detector_params.temperature", "1.0E-6");
        refuse(with("kp_detector_params", "temperature", ".inf"), "kp_detector_params.temperature");
        refuse(with("mask_embedding_params", "norm_const", "1e-320"), "norm_const");
        refuse(with("common_params", "kp_variance", "1e-320"), "kp_variance");
    }

    @Test
    void hugeAliasedValuesAreShownShort() throws IOException {
        // A "billion laughs": nine levels of nine aliases, a small file whose full text is gigabytes.
        StringBuilder y = new StringBuilder("x0: &a0 [\"" + "lol".repeat(10) + "\"]\n");
        for (int i = 1; i < 6; i++) {
            y.append("x").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 8; j++) {
                y.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            y.append("]\n");
        }
        String yaml = y + with("common_params", "num_kp", "*a5");
        String msg = refuse(yaml, "num_kp");
        assertTrue(msg.contains("…"), msg);
        refuse(y + shapes().replace("  common_params:", "  *a5 : 1\n  common_params:"), "unknown key");
    }

    @Test
    void anOversizedConfigurationFileIsRefusedUnread() throws IOException {
        Path p = tmp.resolve("big.yaml");
        Files.write(p, new byte[2 << 20]);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.load(p));
        assertTrue(e.getMessage().contains("not a Monkey-Net configuration"), e.getMessage());
        Path bin = tmp.resolve("bin.yaml");
        Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertThrows(ConfigException.class, () -> ModelConfig.load(bin));
    }
}
