package io.motionkernels.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile, foreign and broken files: each must fail with one clear CheckpointException, nothing else. */
class CheckpointsSafetyTest {
    @TempDir
    Path tmp;

    private Path write(String name, byte[] content) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, content);
        return p;
    }

    /** Loads {@code p}, demanding a CheckpointException whose message names the file and each fragment. */
    private static String refuse(Path p, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(p));
        String msg = e.getMessage();
        assertTrue(msg.contains(p.toString()), msg);
        for (String f : fragments) {
            assertTrue(msg.contains(f), "'" + f + "' not in: " + msg);
        }
        return msg;
    }

    /** A legacy torch.save file with {@code main} as its object and no storages. */
    private Path legacy(String name, byte[] main) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(main);
        f.writeBytes(PickleWriter.legacyStorages(ByteOrder.LITTLE_ENDIAN, new String[0], new byte[0][], new int[0]));
        return write(name, f.toByteArray());
    }

    @Test
    void osSystemIsRefusedNotRun() throws IOException {
        Path marker = tmp.resolve("pwned");
        byte[] evil = new PickleWriter().proto(2).global("os", "system")
                .str("touch " + marker).raw(0x85).reduce().stop().bytes();
        refuse(write("evil.pth", evil), "'os.system'", "malicious", "refused");
        assertFalse(Files.exists(marker));
        // The same payload as the object of an otherwise valid legacy file.
        refuse(legacy("evil2.pth", evil), "'os.system'", "malicious");
    }

    @Test
    void builtinsEvalIsRefused() throws IOException {
        byte[] main = new PickleWriter().proto(2).emptyDict().str("generator")
                .global("builtins", "eval").str("__import__('os').system('id')").raw(0x85).reduce()
                .raw('s').stop().bytes();
        refuse(legacy("eval.pth.tar", main), "'builtins.eval'", "malicious");
    }

    @Test
    void stackGlobalInZipIsRefused() throws IOException {
        byte[] pkl = new PickleWriter().proto(4).raw(0x8c, 5).raw("posix".getBytes()).raw(0x8c, 6)
                .raw("system".getBytes()).raw(0x93).str("id").raw(0x85).reduce().stop().bytes();
        Path p = tmp.resolve("evil.zip.pth");
        CheckpointsFormatsTest.writeZip(p, pkl, Map.of(), false);
        refuse(p, "'posix.system'", "malicious");
    }

    @Test
    void modelClassesAreRefused() throws IOException {
        // torch.save(model): a module class rebuilt through NEWOBJ and BUILD.
        byte[] main = new PickleWriter().proto(2).global("modules.keypoint_detector", "KPDetector")
                .raw(')').raw(0x81).emptyDict().raw('b').stop().bytes();
        refuse(legacy("model.pth", main), "'modules.keypoint_detector.KPDetector'", "malicious");
        // Legacy whole-model pickles carry module source as a persistent id.
        byte[] module = new PickleWriter().proto(2).mark().str("module").str("KPDetector").str("src")
                .tuple().raw('Q').stop().bytes();
        refuse(legacy("model2.pth", module), "whole pickled model", "refused");
    }

    @Test
    void objectBuildingOpcodesAreRefused() throws IOException {
        byte[] inst = new PickleWriter().proto(0).mark().raw("ios\nsystem\n".getBytes()).stop().bytes();
        refuse(legacy("inst.pth", inst), "INST", "malicious");
        byte[] obj = new PickleWriter().proto(2).mark().global("collections", "OrderedDict").raw('o').stop().bytes();
        refuse(legacy("obj.pth", obj), "OBJ", "malicious");
        byte[] ext = new PickleWriter().proto(2).raw(0x82, 1).stop().bytes();
        refuse(legacy("ext.pth", ext), "EXT1", "malicious");
        // BUILD on something that is not a dict would set an object's state.
        byte[] build = new PickleWriter().proto(2).str("x").emptyDict().raw('b').stop().bytes();
        refuse(legacy("build.pth", build), "BUILD", "malicious");
    }

    @Test
    void allowedGlobalsCannotBeMisused() throws IOException {
        // Storage types are markers: calling one (to allocate) is refused.
        byte[] call = new PickleWriter().proto(2).global("torch", "FloatStorage").intTuple(1 << 30).reduce()
                .stop().bytes();
        refuse(legacy("call.pth", call), "'torch.FloatStorage'", "malicious");
        // A tensor whose "storage" is a string is corrupt, not a crash.
        byte[] fake = new PickleWriter().proto(2).emptyDict().str("kp_detector").emptyDict().str("w")
                .global("torch._utils", "_rebuild_tensor_v2").mark().str("s").integer(0).intTuple(1).intTuple(1)
                .bool(false).emptyDict().tuple().reduce().raw('s').raw('s').stop().bytes();
        refuse(legacy("fake.pth", fake), "corrupt");
    }

    @Test
    void tensorsOutsideTheirStorageAreRefused() throws IOException {
        byte[] main = new PickleWriter().proto(2).emptyDict().str("kp_detector").emptyDict().str("w")
                .tensor("FloatStorage", "0", 4, true, 2, new int[] {1 << 20}, new int[] {1})
                .raw('s').raw('s').stop().bytes();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(main);
        f.writeBytes(PickleWriter.legacyStorages(ByteOrder.LITTLE_ENDIAN, new String[] {"0"},
                new byte[][] {new byte[16]}, new int[] {4}));
        refuse(write("oob.pth", f.toByteArray()), "corrupt", "storage of 4");
    }

    @Test
    void storageCountMismatchIsCorrupt() throws IOException {
        byte[] main = new PickleWriter().proto(2).emptyDict().str("kp_detector").emptyDict().str("w")
                .tensor("FloatStorage", "0", 2, true, 0, new int[] {2}, new int[] {1})
                .raw('s').raw('s').stop().bytes();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(main);
        f.writeBytes(PickleWriter.legacyStorages(ByteOrder.LITTLE_ENDIAN, new String[] {"0"},
                new byte[][] {new byte[12]}, new int[] {4}));
        refuse(write("count.pth", f.toByteArray()), "corrupt", "3 elements");
    }

    @Test
    void unsupportedStorageTypeIsNamed() throws IOException {
        byte[] main = new PickleWriter().proto(2).emptyDict().str("kp_detector").emptyDict().str("w")
                .tensor("ComplexFloatStorage", "0", 1, true, 0, new int[] {1}, new int[] {1})
                .raw('s').raw('s').stop().bytes();
        refuse(legacy("complex.pth", main), "torch.ComplexFloatStorage", "not supported");
    }

    @Test
    void notACheckpoint() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1};
        refuse(write("image.pth", png), "not a checkpoint", "PNG");
        refuse(write("notes.txt", "these are not the weights you are looking for".getBytes(StandardCharsets.UTF_8)),
                "not a checkpoint");
        refuse(write("tiny.bin", new byte[] {1, 2, 3}), "only 3 bytes");
        refuse(write("empty.pth", new byte[0]), "empty");
        byte[] plainPickle = new PickleWriter().proto(2).emptyDict().stop().bytes();
        refuse(write("plain.pkl", plainPickle), "not a torch.save checkpoint");
    }

    @Test
    void missingFileAndDirectory() throws IOException {
        refuse(tmp.resolve("nope.pth.tar"), "does not exist");
        Path dir = Files.createDirectory(tmp.resolve("dir.pth"));
        refuse(dir, "is a directory");
    }

    @Test
    void zipWithoutDataPkl() throws IOException {
        Path p = tmp.resolve("other.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            z.write("hello".getBytes());
            z.closeEntry();
        }
        refuse(p, "zip archive", "data.pkl");
    }

    @Test
    void dictsWithoutTheNetworks() throws IOException {
        byte[] other = new PickleWriter().proto(2).emptyDict().mark().str("model").emptyDict().str("epoch")
                .integer(1).setItems().stop().bytes();
        refuse(legacy("other.pth", other), "without 'generator' or 'kp_detector'", "'model', 'epoch'");
        byte[] bare = new PickleWriter().proto(2).emptyDict().str("predictor.conv.weight")
                .tensor("FloatStorage", "0", 1, true, 0, new int[] {1}, new int[] {1}).raw('s').stop().bytes();
        refuse(legacy("bare.pth", bare), "bare state dict", "'predictor.conv.weight'", "'kp_detector'");
        byte[] list = new PickleWriter().proto(2).raw(']').stop().bytes();
        refuse(legacy("list.pth", list), "holds a list");
        byte[] notSd = new PickleWriter().proto(2).emptyDict().str("generator").integer(5).raw('s').stop().bytes();
        refuse(legacy("int.pth", notSd), "'generator' is a int");
    }

    @Test
    void wrongLegacyProtocolVersion() throws IOException {
        byte[] header = new PickleWriter().proto(2).bigInt(TorchFiles.Legacy.MAGIC).stop()
                .proto(2).integer(1000).stop().bytes();
        refuse(write("v1000.pth", header), "protocol version 1000");
    }

    @Test
    void malformedSafetensorsHeader() throws IOException {
        String json = "{\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[\"a\"],\"data_offsets\":[0,4]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(java.nio.ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        f.writeBytes(h);
        f.writeBytes(new byte[4]);
        refuse(write("bad.safetensors", f.toByteArray()), "malformed");
        // 2^30 * 2^30 * 8 elements wrap to Long.MIN_VALUE, and times 4 bytes to the 0 bytes given.
        String huge = "{\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824,8],"
                + "\"data_offsets\":[0,0]}}";
        h = huge.getBytes(StandardCharsets.UTF_8);
        f.reset();
        f.writeBytes(java.nio.ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        f.writeBytes(h);
        Path p = write("huge.safetensors", f.toByteArray());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    /** Every prefix of a small hand-built legacy file fails cleanly (pickle opcodes cut at each byte). */
    @Test
    void everyPrefixOfALegacyFileFailsCleanly() throws IOException {
        byte[] main = new PickleWriter().proto(2).emptyDict().mark().str("kp_detector").emptyDict().str("w")
                .tensor("FloatStorage", "0", 2, true, 0, new int[] {2}, new int[] {1}).raw('s')
                .str("epoch").integer(70000).str("lr").raw('G').raw(new byte[8]).setItems().stop().bytes();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(main);
        f.writeBytes(PickleWriter.legacyStorages(ByteOrder.LITTLE_ENDIAN, new String[] {"0"},
                new byte[][] {new byte[8]}, new int[] {4}));
        byte[] all = f.toByteArray();
        Path whole = write("whole.pth", all);
        Checkpoints.load(whole); // the uncut file is valid
        for (int cut = 0; cut < all.length; cut++) {
            Path p = write("cut" + cut + ".pth", java.util.Arrays.copyOf(all, cut));
            String msg = refuse(p);
            assertTrue(msg.contains("truncated") || msg.contains("empty"), cut + ": " + msg);
        }
    }

    /**
     * Random byte changes in the pickles of a small legacy file:
     * each copy either loads or fails with a CheckpointException, never with another exception.
     */
    @Test
    void corruptedBytesNeverEscapeAsOtherExceptions() throws IOException {
        byte[] main = new PickleWriter().proto(2).emptyDict().mark().str("kp_detector")
                .global("collections", "OrderedDict").emptyTuple().reduce().mark().str("w")
                .tensor("FloatStorage", "0", 6, true, 0, new int[] {2, 3}, new int[] {3, 1}).str("b")
                .tensor("HalfStorage", "1", 2, true, 1, new int[] {1}, new int[] {1}).setItems()
                .str("epoch").integer(70000).setItems().stop().bytes();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(main);
        f.writeBytes(PickleWriter.legacyStorages(ByteOrder.LITTLE_ENDIAN, new String[] {"0", "1"},
                new byte[][] {new byte[24], new byte[4]}, new int[] {4, 2}));
        byte[] legacy = f.toByteArray();
        java.util.Random rnd = new java.util.Random(1234);
        int loaded = 0;
        for (int i = 0; i < 500; i++) {
            byte[] b = legacy.clone();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            Path p = write("fuzz.pth", b);
            try {
                Checkpoints.load(p);
                loaded++;
            } catch (CheckpointException expected) {
                assertTrue(expected.getMessage().contains(p.toString()), expected.getMessage());
            }
        }
        assertTrue(loaded > 0 && loaded < 500, "loaded " + loaded);
    }

    /**
     * The same for torch-written zips' data.pkl: the shipped FOMM checkpoint (torch.save's own
     * output, with optimizer states: see make_fomm_cases.py), and ../shared's shapes-kp-zip.pth
     * where it is present.
     */
    @Test
    void corruptedBytesOfATorchPickleNeverEscapeAsOtherExceptions() throws IOException {
        java.util.List<Path> zips = new java.util.ArrayList<>();
        zips.add(io.motionkernels.TestFiles.extraCases().resolve("fomm/fomm-small-cpk-zip.pth"));
        io.motionkernels.TestFiles.sharedCheckpoint("shapes-kp-zip.pth").ifPresent(zips::add);
        java.util.Random rnd = new java.util.Random(1234);
        for (Path zip : zips) {
            byte[] pkl = null;
            try (var z = new java.util.zip.ZipFile(zip.toFile())) {
                for (var e = z.entries(); e.hasMoreElements(); ) {
                    var entry = e.nextElement();
                    if (entry.getName().endsWith("/data.pkl")) {
                        pkl = z.getInputStream(entry).readAllBytes();
                    }
                }
            }
            assertTrue(pkl != null && pkl.length > 100, zip + " has a data.pkl");
            // The zip's pickle alone (rewriting a whole archive per case would be slow).
            Path name = tmp.resolve("data.pkl");
            for (int i = 0; i < 2000; i++) {
                byte[] b = pkl.clone();
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                try {
                    TorchPickle.load(PickleInput.of(name, b), false, new java.util.HashMap<>());
                } catch (CheckpointException expected) {
                    assertTrue(expected.getMessage().contains(name.toString()), expected.getMessage());
                }
            }
        }
    }
}
