package io.motionkernels.checkpoint;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13's checkpoint classes (cross-part inconsistency, small files declaring huge work, the
 * safetensors header, broken numbers), each with a hand-made file: one CheckpointException within
 * 2 s and 1 GB, or a correct load.
 */
class HostileCheckpointsTest {
    private static final long MAX_NANOS = 2_000_000_000L;
    private static final long MAX_BYTES = 1L << 30;

    @TempDir
    Path tmp;

    @AfterEach
    void clearLimits() {
        System.clearProperty(CheckpointLimits.MAX_PICKLE_BYTES);
        System.clearProperty(CheckpointLimits.MAX_TENSORS);
        System.clearProperty(CheckpointLimits.MAX_HEADER_BYTES);
    }

    private Path write(String name, byte[] content) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, content);
        return p;
    }

    /** Loads {@code p}: a CheckpointException naming the file and each fragment, within the time and memory bounds. */
    static String refuse(Path p, String... fragments) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long bytes = mx.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(p));
        long nanos = System.nanoTime() - start;
        long allocated = mx.getCurrentThreadAllocatedBytes() - bytes;
        String msg = e.getMessage();
        assertTrue(msg.contains(p.toString()), msg);
        for (String f : fragments) {
            assertTrue(msg.contains(f), "'" + f + "' not in: " + msg);
        }
        assertTrue(nanos < MAX_NANOS, "refused after " + nanos / 1e9 + " s");
        assertTrue(allocated < MAX_BYTES, "refused after allocating " + allocated + " bytes");
        assertTrue(msg.length() < 2000, "message of " + msg.length() + " characters");
        return msg;
    }

    // ---- class 1: parts consistent alone, inconsistent together ----

    @Test
    void aStorageDescribedAgainByALaterPickleIsRefused() throws IOException {
        refuse(write("redescribed.pth", HostileFiles.legacyRedescribedStorage()), "corrupt",
                "described in two different ways");
    }

    @Test
    void aStorageListedTwiceIsRefused() throws IOException {
        byte[] main = new PickleWriter().proto(2).emptyDict().str("kp_detector").emptyDict().str("w")
                .tensor("FloatStorage", "0", 1, true, 0, new int[] {1}, new int[] {1})
                .raw('s').raw('s').stop().bytes();
        java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(main);
        f.writeBytes(PickleWriter.legacyStorages(java.nio.ByteOrder.LITTLE_ENDIAN, new String[] {"0", "0"},
                new byte[][] {new byte[4], new byte[4]}, new int[] {4, 4}));
        refuse(write("twice.pth", f.toByteArray()), "names storage 0 twice");
    }

    // ---- class 2: tiny files declaring huge work ----

    @Test
    void aZipPickleInflatingPastTheLimitIsRefusedUnread() throws IOException {
        Path p = tmp.resolve("pickle-bomb.pth");
        HostileFiles.zipPickleBomb(p, (64L << 20) + 1);
        assertTrue(Files.size(p) < 1 << 20, Files.size(p) + " bytes");
        String msg = refuse(p, "inflates to 67108865 bytes", "limit", CheckpointLimits.MAX_PICKLE_BYTES);
        // The limit can be raised for a genuine file; the pickle is then read (and this one is an empty dict).
        System.setProperty(CheckpointLimits.MAX_PICKLE_BYTES, Long.toString(128L << 20));
        String raised = assertThrows(CheckpointException.class, () -> Checkpoints.load(p)).getMessage();
        assertFalse(raised.contains("limit"), raised);
        assertTrue(msg.contains("-D" + CheckpointLimits.MAX_PICKLE_BYTES + "="), msg);
    }

    @Test
    void aHugeDeflatedStorageBehindOneElementCostsOneElement() throws IOException {
        Path p = tmp.resolve("storage-bomb.pth");
        HostileFiles.zipStorageBomb(p, 64L << 20); // 256 MiB of zeros in a few hundred kilobytes
        assertTrue(Files.size(p) < 1 << 20, Files.size(p) + " bytes");
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long bytes = mx.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        StateDict sd = Checkpoints.load(p);
        assertTrue(System.nanoTime() - start < MAX_NANOS);
        assertTrue(mx.getCurrentThreadAllocatedBytes() - bytes < 64L << 20,
                (mx.getCurrentThreadAllocatedBytes() - bytes) + " bytes allocated");
        assertArrayEquals(new float[] {0}, sd.tensors().get("kp_detector.w").data());
    }

    @Test
    void manyTensorsOverTheSameDataAreRefused() throws IOException {
        refuse(write("overlap.safetensors", HostileFiles.safetensorsOverlapping(12_000, 1 << 20)), "overlap");
    }

    @Test
    void tooManyTensorsAreRefusedWithTheLimitNamed() throws IOException {
        System.setProperty(CheckpointLimits.MAX_TENSORS, "100");
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < 200; i++) {
            h.append(i == 0 ? "" : ",").append("\"kp_detector.w").append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        byte[] f = HostileFiles.safetensors(h.append('}').toString(), new byte[0]);
        refuse(write("many.safetensors", f), "more than 100 tensors", CheckpointLimits.MAX_TENSORS);
    }

    @Test
    void aHeaderOverTheLimitIsRefusedUnparsed() throws IOException {
        System.setProperty(CheckpointLimits.MAX_HEADER_BYTES, "1000");
        refuse(write("long.safetensors", HostileFiles.safetensorsLongMetadata(2000)), "header of", "limit of 1000",
                CheckpointLimits.MAX_HEADER_BYTES);
    }

    @Test
    void aLongMetadataStringIsReadFast() throws IOException {
        // 16 MB: the YAML reader took 155 s; a JSON reader takes milliseconds.
        Path p = write("meta.safetensors", HostileFiles.safetensorsLongMetadata(16 << 20));
        long start = System.nanoTime();
        Safetensors.Contents c = Safetensors.read(p);
        assertTrue(System.nanoTime() - start < MAX_NANOS, (System.nanoTime() - start) / 1e9 + " s");
        assertEquals(16 << 20, c.metadata().get("note").length());
    }

    @Test
    void hugeDeclaredShapesAreRefusedWithoutOverflow() throws IOException {
        String[] shapes = {"[46340,46340]", "[65536,65536]", "[4294967296,4294967296]", "[9223372036854775807,2]",
                "[1073741824,1073741824,8]"};
        for (String s : shapes) {
            String h = "{\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":" + s + ",\"data_offsets\":[0,4]}}";
            refuse(write("shape.safetensors", HostileFiles.safetensors(h, new byte[4])), "corrupt");
        }
        String beyondLong = "{\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],"
                + "\"data_offsets\":[0,4]}}";
        refuse(write("big.safetensors", HostileFiles.safetensors(beyondLong, new byte[4])), "beyond 2^63");
    }

    @Test
    void dataOutsideTheFileIsRefused() throws IOException {
        String h = "{\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        refuse(write("outside.safetensors", HostileFiles.safetensors(h, new byte[8])), "truncated or corrupt");
        String neg = "{\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}";
        refuse(write("neg.safetensors", HostileFiles.safetensors(neg, new byte[4])), "negative");
    }

    // ---- class 3: the safetensors header is strict JSON ----

    @Test
    void headerJsonIsStrict() throws IOException {
        String t = "\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        // Valid JSON that the YAML reader refused: a tab, an escaped slash.
        Map<String, String> ok = new LinkedHashMap<>();
        ok.put("tab", "{\t" + t + "}");
        ok.put("slash", "{\"__metadata__\":{\"url\":\"a\\/b\"}," + t + "}");
        ok.put("padding", "{" + t + "}        ");
        for (Map.Entry<String, String> e : ok.entrySet()) {
            Path p = write(e.getKey() + ".safetensors", HostileFiles.safetensors(e.getValue(), new byte[4]));
            assertEquals(1, Checkpoints.load(p).tensors().size(), e.getKey());
        }
        refuse(write("array.safetensors", HostileFiles.safetensors("[" + t + "]", new byte[4])), "not a checkpoint");
        assertEquals("a/b", Safetensors.read(tmp.resolve("slash.safetensors")).metadata().get("url"));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("duplicate", "{" + t + "," + t + "}");
        bad.put("nested-duplicate", "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}," + t + "}");
        bad.put("int-key", "{1:{}," + t + "}");
        bad.put("list-key", "{[1]:{}," + t + "}");
        bad.put("null-key", "{null:{}," + t + "}");
        bad.put("yaml-date", "{2024-01-01: x, " + t + "}");
        bad.put("single-quotes", "{'kp_detector.w':{}}");
        bad.put("comment", "{/* c */" + t + "}");
        bad.put("trailing", "{" + t + "}x");
        bad.put("two-objects", "{" + t + "}{}");
        bad.put("trailing-comma", "{" + t + ",}");
        bad.put("nan", "{\"__metadata__\":{\"a\":NaN}," + t + "}");
        bad.put("control-char", "{\"__metadata__\":{\"a\":\"x\u0001y\"}," + t + "}");
        bad.put("deep", "{\"__metadata__\":" + "[".repeat(10_000) + "]".repeat(10_000) + "," + t + "}");
        bad.put("metadata-int", "{\"__metadata__\":{\"a\":1}," + t + "}");
        bad.put("metadata-list", "{\"__metadata__\":[]," + t + "}");
        bad.put("float-offset", "{\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}}");
        bad.put("string-shape", "{\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            refuse(write(e.getKey() + ".safetensors", HostileFiles.safetensors(e.getValue(), new byte[4])), "header");
        }
    }

    @Test
    void invalidUtf8IsRefusedNotReplaced() throws IOException {
        byte[][] cases = {{(byte) 0xff}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xe2, (byte) 0x82}};
        for (byte[] c : cases) {
            java.io.ByteArrayOutputStream h = new java.io.ByteArrayOutputStream();
            h.writeBytes("{\"__metadata__\":{\"a\":\"".getBytes(StandardCharsets.UTF_8));
            h.writeBytes(c);
            h.writeBytes(("\"},\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")
                    .getBytes(StandardCharsets.UTF_8));
            refuse(write("utf8.safetensors", HostileFiles.safetensors(h.toByteArray(), new byte[4])), "UTF-8");
        }
    }

    // ---- class 5: broken numbers ----

    @Test
    void nonFiniteWeightsAreRefused() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            refuse(write("nan.safetensors", HostileFiles.safetensorsF32("kp_detector.w", 1, bad)), "kp_detector.w",
                    "element 1");
            refuse(write("nan.pth", HostileFiles.legacyFloats("w", bad, 1)), "kp_detector.w", "element 0");
        }
    }

    @Test
    void negativeRunningVarianceIsRefused() throws IOException {
        refuse(write("var.safetensors", HostileFiles.safetensorsF32("kp_detector.bn.running_var", 1, -0.5f)),
                "negative", "running_var");
        // zero is a legal variance (inference adds eps)
        Checkpoints.load(write("zero.safetensors", HostileFiles.safetensorsF32("kp_detector.bn.running_var", 0)));
    }

    @Test
    void integerWeightsAreReportedWhenANetworkAsksForThem() throws IOException {
        String h = "{\"kp_detector.w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"kp_detector.bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}";
        StateDict sd = Checkpoints.load(write("int.safetensors", HostileFiles.safetensors(h, new byte[16])));
        sd.get("kp_detector.w", 2);
        CheckpointException e = assertThrows(CheckpointException.class, () -> sd.checkComplete("test", "kp_detector."));
        assertTrue(e.getMessage().contains("stored as integers") && e.getMessage().contains("kp_detector.w"),
                e.getMessage());
    }

    @Test
    void aConfigurationAskingForFarMoreThanTheFileHoldsStopsEarly() throws IOException {
        StateDict sd = Checkpoints.load(write("one.safetensors", HostileFiles.safetensorsF32("kp_detector.w", 1)));
        long start = System.nanoTime();
        CheckpointException e = assertThrows(CheckpointException.class, () -> {
            for (int i = 0; i < 100_000; i++) {
                sd.get("generator.refinement." + i + ".weight", 256, 256, 3, 3);
            }
        });
        assertTrue(System.nanoTime() - start < MAX_NANOS);
        assertTrue(e.getMessage().contains("stopped early") && e.getMessage().contains("missing"), e.getMessage());
    }

    // ---- class 7: safetensors outputs ----

    @Test
    void atomicOutputsHaveNormalPermissionsAndLeaveNothingOnFailure() throws IOException {
        Path out = tmp.resolve("r.safetensors");
        Map<String, io.motionkernels.tensor.Tensor> t = Map.of("x", io.motionkernels.tensor.Tensor.of(
                new float[] {1, 2, 3}, 3));
        Safetensors.writeAtomically(out, t, Map.of("fps", "10"));
        assertArrayEquals(new float[] {1, 2, 3}, Safetensors.read(out).require("x").data());
        Path plain = tmp.resolve("plain.bin");
        Files.write(plain, new byte[1]);
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(out));
        assertThrows(CheckpointException.class, () -> Safetensors.writeAtomically(tmp.resolve("no/r.safetensors"), t,
                Map.of()));
        Path dir = Files.createDirectory(tmp.resolve("d.safetensors"));
        assertThrows(CheckpointException.class, () -> Safetensors.writeAtomically(dir, t, Map.of()));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}
