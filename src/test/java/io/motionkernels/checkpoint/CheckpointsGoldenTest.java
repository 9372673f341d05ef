package io.motionkernels.checkpoint;

import io.motionkernels.TestFiles;
import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The three golden checkpoints (the same trained shapes weights in three formats). The repository
 * ships only the safetensors one (the demo model); the torch-written two come from
 * ../shared/golden/checkpoints, and the parts that need them skip, saying so, without it.
 */
class CheckpointsGoldenTest {
    private static final String SAFETENSORS = "shapes.safetensors";
    private static StateDict safetensors;

    @BeforeAll
    static void loadReference() {
        safetensors = Checkpoints.load(file(SAFETENSORS));
    }

    private static Path file(String name) {
        if (name.equals(SAFETENSORS)) {
            return TestFiles.shapesWeights();
        }
        Optional<Path> p = TestFiles.sharedCheckpoint(name);
        assumeTrue(p.isPresent(), name + " is not shipped and there is no ../shared/golden/checkpoints: not tested");
        return p.get();
    }

    private static void assertBitIdentical(String name, Tensor expected, Tensor actual) {
        // The safetensors export stores the rank-0 num_batches_tracked counters as shape [1].
        if (!(name.endsWith(".num_batches_tracked") && actual.rank() == 0 && expected.hasShape(1))) {
            assertArrayEquals(expected.shape(), actual.shape(), name);
        }
        float[] e = expected.data();
        float[] a = actual.data();
        assertEquals(e.length, a.length, name);
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError(name + "[" + i + "]: expected " + e[i] + ", got " + a[i]);
            }
        }
    }

    @Test
    void safetensorsHoldsBothNetworks() {
        Map<String, Tensor> t = safetensors.tensors();
        assertEquals(272, t.size());
        assertEquals(200, t.keySet().stream().filter(k -> k.startsWith("generator.")).count());
        assertEquals(72, t.keySet().stream().filter(k -> k.startsWith("kp_detector.")).count());
        assertArrayEquals(new int[] {32, 3, 1, 3, 3},
                t.get("kp_detector.predictor.encoder.down_blocks.0.conv.weight").shape());
    }

    @Test
    void legacyEqualsSafetensorsBitForBit() {
        StateDict legacy = Checkpoints.load(file("shapes-legacy.pth.tar"));
        assertEquals(safetensors.tensors().keySet(), legacy.tensors().keySet());
        for (Map.Entry<String, Tensor> e : safetensors.tensors().entrySet()) {
            assertBitIdentical(e.getKey(), e.getValue(), legacy.tensors().get(e.getKey()));
        }
        // Not all zero: a loader returning zeros for everything must fail above, and here.
        float[] w = legacy.tensors().get("generator.appearance_encoder.down_blocks.0.conv.weight").data();
        double sum = 0;
        for (float v : w) {
            sum += Math.abs(v);
        }
        assertTrue(sum > 0);
    }

    @Test
    void zipHoldsTheKeypointDetector() {
        StateDict zip = Checkpoints.load(file("shapes-kp-zip.pth"));
        assertEquals(72, zip.tensors().size());
        for (Map.Entry<String, Tensor> e : zip.tensors().entrySet()) {
            assertTrue(e.getKey().startsWith("kp_detector."), e.getKey());
            assertBitIdentical(e.getKey(), safetensors.tensors().get(e.getKey()), e.getValue());
        }
    }

    @Test
    void describeSummarisesSafetensors() {
        Checkpoints.Description st = Checkpoints.describe(file(SAFETENSORS));
        assertEquals(Checkpoints.Format.SAFETENSORS, st.format());
        assertEquals(9L, st.epoch());
        assertEquals(3460L, st.it());
        assertEquals(272, st.tensorCount());
    }

    @Test
    void describeSummarisesTheTorchFormats() {
        Checkpoints.Description legacy = Checkpoints.describe(file("shapes-legacy.pth.tar"));
        assertEquals(Checkpoints.Format.TORCH_LEGACY, legacy.format());
        assertEquals(List.of("generator", "kp_detector", "optimizer_kp_detector", "epoch", "it"), legacy.topLevel());
        assertEquals(9L, legacy.epoch());
        assertEquals(3460L, legacy.it());
        assertEquals(200, legacy.generatorTensors());
        assertEquals(72, legacy.kpDetectorTensors());

        Checkpoints.Description zip = Checkpoints.describe(file("shapes-kp-zip.pth"));
        assertEquals(Checkpoints.Format.TORCH_ZIP, zip.format());
        assertEquals(List.of("kp_detector"), zip.topLevel());
        assertEquals(null, zip.epoch());
        assertEquals(72, zip.tensorCount());
    }

    /** Cuts each golden file at offsets inside every part: header, pickles, storage data. */
    @ParameterizedTest
    @ValueSource(strings = {SAFETENSORS, "shapes-legacy.pth.tar", "shapes-kp-zip.pth"})
    void truncatedCopiesFailCleanly(String name, @TempDir Path tmp) throws IOException {
        Map<String, long[]> cuts = Map.of(
                // 37966: end of the main pickle, 42491: start of the storage data (see the report).
                "shapes-legacy.pth.tar", new long[] {1, 5, 14, 16, 30, 140, 5000, 37965, 37966, 40000, 42491,
                        42495, 42500, 6_000_000, 12_628_086},
                "shapes-kp-zip.pth", new long[] {1, 3, 30, 100, 5000, 2_000_000, 4_137_000, 4_137_928},
                SAFETENSORS, new long[] {1, 7, 8, 9, 100, 20_000, 6_000_000, 12_611_875});
        byte[] all = Files.readAllBytes(file(name));
        for (long cut : cuts.get(name)) {
            Path p = tmp.resolve("cut-" + cut + "-" + name);
            Files.write(p, Arrays.copyOf(all, (int) cut));
            CheckpointException ex = assertThrows(CheckpointException.class, () -> Checkpoints.load(p),
                    name + " cut at " + cut);
            String msg = ex.getMessage();
            assertTrue(msg.contains(p.toString()), msg);
            assertTrue(msg.contains("truncated"), name + " cut at " + cut + ": " + msg);
            Files.delete(p);
        }
    }
}
