package io.motionkernels.checkpoint;

import io.motionkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Hand-built torch.save files: every storage type, strided views, both byte orders, both containers. */
class CheckpointsFormatsTest {
    @TempDir
    Path tmp;

    /** Storage bytes: each value written with {@code width} bytes by {@code put}. */
    interface Put {
        void put(ByteBuffer b, double v);
    }

    static byte[] storage(ByteOrder order, int width, Put put, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * width).order(order);
        for (double v : values) {
            put.put(b, v);
        }
        return b.array();
    }

    /** All storage types and views, in a legacy file like Monkey-Net's (OrderedDict with _metadata). */
    private Path legacyFile(ByteOrder order) throws IOException {
        PickleWriter w = new PickleWriter().proto(2).emptyDict().mark();
        w.str("generator").global("collections", "OrderedDict").emptyTuple().reduce().mark();
        // Transposed view: [i][j] = storage[i + 2j].
        w.str("a.weight").tensor("DoubleStorage", "s0", 6, true, 0, new int[] {2, 3}, new int[] {1, 2});
        // Offset and stride: storage[1], storage[3].
        w.str("a.bias").tensor("HalfStorage", "s1", 4, true, 1, new int[] {2}, new int[] {2});
        w.str("b.weight").tensor("BFloat16Storage", "s2", 3, true, 0, new int[] {3}, new int[] {1});
        w.str("b.num_batches_tracked").tensor("LongStorage", "s3", 1, true, 0, new int[] {}, new int[] {});
        w.str("c.i32").tensor("IntStorage", "s4", 2, true, 0, new int[] {2}, new int[] {1});
        w.str("c.u8").tensor("ByteStorage", "s5", 1, true, 0, new int[] {1}, new int[] {1});
        w.str("c.bool").tensor("BoolStorage", "s6", 2, true, 0, new int[] {2}, new int[] {1});
        w.str("c.i8").tensor("CharStorage", "s7", 1, true, 0, new int[] {1}, new int[] {1});
        w.str("c.i16").tensor("ShortStorage", "s8", 1, true, 0, new int[] {1}, new int[] {1});
        // A legacy storage view: elements [4, 7) of root s9; the tensor takes view[1..2] = root[5..6].
        w.str("view.x").global("torch._utils", "_rebuild_tensor").mark()
                .storage("FloatStorage", "s9", 10, true, new Object[] {"v9", 4L, 3L})
                .integer(1).intTuple(2).intTuple(1).tuple().reduce();
        // An nn.Parameter around the old _rebuild_tensor.
        w.str("param").global("torch._utils", "_rebuild_parameter").mark()
                .global("torch._utils", "_rebuild_tensor").mark()
                .storage("FloatStorage", "s10", 2, true, null).integer(0).intTuple(2).intTuple(1).tuple().reduce()
                .bool(true).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
        w.setItems();
        // state_dict()'s _metadata attribute arrives through BUILD.
        w.emptyDict().mark().str("_metadata").global("collections", "OrderedDict").emptyTuple().reduce()
                .mark().str("").emptyDict().mark().str("version").integer(1).setItems().setItems()
                .setItems().raw('b');
        // kp_detector shares storage s0 with the generator, whole and contiguous.
        w.str("kp_detector").emptyDict().mark()
                .str("k").tensor("DoubleStorage", "s0", 6, true, 0, new int[] {6}, new int[] {1})
                .setItems();
        // Optimizer state: a tensor whose storage is never read, floats, a tuple, a list.
        w.str("optimizer_kp_detector").emptyDict().mark()
                .str("state").emptyDict().mark().integer(0).emptyDict().mark()
                .str("exp_avg").tensor("FloatStorage", "opt", 3, true, 0, new int[] {3}, new int[] {1})
                .setItems().setItems()
                .str("param_groups").raw(']').emptyDict().mark().str("lr").raw('G')
                .raw(ByteBuffer.allocate(8).putDouble(2e-4).array())
                .str("betas").raw('G').raw(ByteBuffer.allocate(8).putDouble(0.5).array())
                .raw('G').raw(ByteBuffer.allocate(8).putDouble(0.999).array()).raw(0x86)
                .str("params").raw(']').mark().integer(0).raw('e').setItems().raw('a')
                .setItems();
        w.str("epoch").integer(3).str("it").integer(70000).setItems().stop();

        String[] keys = {"opt", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10"};
        byte[][] data = {
            storage(order, 4, (b, v) -> b.putFloat((float) v), 9, 9, 9),
            storage(order, 8, ByteBuffer::putDouble, 1.5, -2.25, 3.0, 4.125, 5.5, -6.75),
            storage(order, 2, (b, v) -> b.putShort((short) v), 0x3800, 0x3C00, 0xC000, 0x7BFF),
            storage(order, 2, (b, v) -> b.putShort((short) v), 0x3F80, 0xC040, 0x3E20),
            storage(order, 8, (b, v) -> b.putLong((long) v), 1234567),
            storage(order, 4, (b, v) -> b.putInt((int) v), -5, 123456),
            storage(order, 1, (b, v) -> b.put((byte) (int) v), 200),
            storage(order, 1, (b, v) -> b.put((byte) (int) v), 1, 0),
            storage(order, 1, (b, v) -> b.put((byte) (int) v), -7),
            storage(order, 2, (b, v) -> b.putShort((short) v), -300),
            storage(order, 4, (b, v) -> b.putFloat((float) v), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
            storage(order, 4, (b, v) -> b.putFloat((float) v), 0.25, -0.5),
        };
        int[] sizes = {4, 8, 2, 2, 8, 4, 1, 1, 1, 2, 4, 4};
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(order == ByteOrder.LITTLE_ENDIAN));
        f.writeBytes(w.bytes());
        f.writeBytes(PickleWriter.legacyStorages(order, keys, data, sizes));
        Path p = tmp.resolve("legacy-" + order + ".pth.tar");
        Files.write(p, f.toByteArray());
        return p;
    }

    private static void assertValues(Map<String, Tensor> t, String name, int[] shape, float... values) {
        Tensor x = t.get(name);
        assertArrayEquals(shape, x.shape(), name);
        assertArrayEquals(values, x.data(), name);
    }

    private void checkLegacy(ByteOrder order) throws IOException {
        Path p = legacyFile(order);
        Map<String, Tensor> t = Checkpoints.load(p).tensors();
        assertEquals(12, t.size());
        assertValues(t, "generator.a.weight", new int[] {2, 3}, 1.5f, 3.0f, 5.5f, -2.25f, 4.125f, -6.75f);
        assertValues(t, "generator.a.bias", new int[] {2}, 1.0f, 65504f);
        assertValues(t, "generator.b.weight", new int[] {3}, 1.0f, -3.0f, 0.15625f);
        assertValues(t, "generator.b.num_batches_tracked", new int[] {}, 1234567f);
        assertValues(t, "generator.c.i32", new int[] {2}, -5f, 123456f);
        assertValues(t, "generator.c.u8", new int[] {1}, 200f);
        assertValues(t, "generator.c.bool", new int[] {2}, 1f, 0f);
        assertValues(t, "generator.c.i8", new int[] {1}, -7f);
        assertValues(t, "generator.c.i16", new int[] {1}, -300f);
        assertValues(t, "generator.view.x", new int[] {2}, 5f, 6f);
        assertValues(t, "generator.param", new int[] {2}, 0.25f, -0.5f);
        assertValues(t, "kp_detector.k", new int[] {6}, 1.5f, -2.25f, 3.0f, 4.125f, 5.5f, -6.75f);
        Checkpoints.Description d = Checkpoints.describe(p);
        assertEquals(3L, d.epoch());
        assertEquals(70000L, d.it());
        assertEquals(11, d.generatorTensors());
        assertEquals(1, d.kpDetectorTensors());
    }

    @Test
    void legacyLittleEndianAllStorageTypesAndViews() throws IOException {
        checkLegacy(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void legacyBigEndian() throws IOException {
        checkLegacy(ByteOrder.BIG_ENDIAN);
    }

    static void writeZip(Path p, byte[] pkl, Map<String, byte[]> records, boolean deflate) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            Map<String, byte[]> all = new LinkedHashMap<>();
            all.put("archive/data.pkl", pkl);
            records.forEach((k, v) -> all.put("archive/" + k, v));
            for (Map.Entry<String, byte[]> e : all.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (!deflate) {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    /** Protocol-4 opcodes (FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE), big-endian, deflated entries. */
    @Test
    void zipBigEndianProtocol4() throws IOException {
        PickleWriter w = new PickleWriter().proto(4).raw(0x95).le(0, 8)
                .emptyDict().raw(0x94)
                .raw(0x8c, 11).raw("kp_detector".getBytes()).raw(0x94)
                .emptyDict().raw(0x94).mark()
                .raw(0x8c, 1).raw('w')
                .raw(0x8c, 12).raw("torch._utils".getBytes()).raw(0x8c, 18).raw("_rebuild_tensor_v2".getBytes())
                .raw(0x93).raw(0x94).mark()
                .mark().str("storage").global("torch", "HalfStorage").str("0").str("cpu").integer(4).tuple().raw('Q')
                .integer(0).intTuple(2, 2).intTuple(1, 2).bool(false)
                .global("collections", "OrderedDict").emptyTuple().reduce()
                .global("torch", "Size").intTuple(7).raw(0x85).reduce() // a 7th "metadata" argument
                .tuple().reduce()
                .raw(0x8c, 1).raw('v')
                .raw('h', 3).mark() // the memoised _rebuild_tensor_v2 again
                .mark().str("storage").global("torch", "FloatStorage").str("1").str("cuda:0").integer(2).tuple()
                .raw('Q').integer(0).intTuple(2).intTuple(1).bool(false).emptyDict().tuple().reduce()
                .setItems().raw('s').stop();
        Path p = tmp.resolve("big.pth");
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("byteorder", "big".getBytes());
        records.put("data/0", storage(ByteOrder.BIG_ENDIAN, 2, (b, v) -> b.putShort((short) v),
                0x3C00, 0x4000, 0x4200, 0x4400));
        records.put("data/1", storage(ByteOrder.BIG_ENDIAN, 4, (b, v) -> b.putFloat((float) v), -1.25, 8));
        records.put("version", "3\n".getBytes());
        writeZip(p, w.bytes(), records, true);
        Map<String, Tensor> t = Checkpoints.load(p).tensors();
        assertEquals(2, t.size());
        // size (2, 2), stride (1, 2) over [1, 2, 3, 4]: the transpose.
        assertValues(t, "kp_detector.w", new int[] {2, 2}, 1f, 3f, 2f, 4f);
        assertValues(t, "kp_detector.v", new int[] {2}, -1.25f, 8f);
        Checkpoints.Description d = Checkpoints.describe(p);
        assertEquals(Checkpoints.Format.TORCH_ZIP, d.format());
        assertNull(d.epoch());
    }

    /** A flat dict whose keys already carry the network prefix needs no attribution. */
    @Test
    void zipWithFullNames() throws IOException {
        PickleWriter w = new PickleWriter().proto(2).emptyDict().mark()
                .str("kp_detector.x").tensor("FloatStorage", "0", 1, false, 0, new int[] {1}, new int[] {1})
                .str("generator.y").tensor("FloatStorage", "0", 1, false, 0, new int[] {}, new int[] {})
                .setItems().stop();
        Path p = tmp.resolve("flat.pth");
        writeZip(p, w.bytes(), Map.of("data/0", storage(ByteOrder.LITTLE_ENDIAN, 4,
                (b, v) -> b.putFloat((float) v), 42)), false);
        Map<String, Tensor> t = Checkpoints.load(p).tensors();
        assertValues(t, "kp_detector.x", new int[] {1}, 42f);
        assertValues(t, "generator.y", new int[] {}, 42f);
    }

    /** Safetensors files may hold other networks too; only the two Monkey-Net ones are kept. */
    @Test
    void safetensorsKeepsOnlyGeneratorAndKpDetector() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("discriminator.w", Tensor.of(new float[] {1}, 1));
        in.put("kp_detector.w", Tensor.of(new float[] {2, 3}, 2));
        Path p = tmp.resolve("w.safetensors");
        Safetensors.write(p, in, Map.of());
        StateDict sd = Checkpoints.load(p);
        assertEquals(1, sd.tensors().size());
        assertValues(sd.tensors(), "kp_detector.w", new int[] {2}, 2f, 3f);
    }
}
