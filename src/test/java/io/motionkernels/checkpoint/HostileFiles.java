package io.motionkernels.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Hand-made reproductions of the hostile and broken checkpoints of issue 13, shared by the
 * regression tests, the CLI tests and the fuzz tests' seeds.
 */
public final class HostileFiles {
    private HostileFiles() {
    }

    /** A safetensors file: the 8-byte header length, {@code header} as given, then {@code data}. */
    public static byte[] safetensors(byte[] header, byte[] data) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        f.writeBytes(header);
        f.writeBytes(data);
        return f.toByteArray();
    }

    public static byte[] safetensors(String header, byte[] data) {
        return safetensors(header.getBytes(StandardCharsets.UTF_8), data);
    }

    /** One float tensor named {@code name} holding {@code values}, stored as {@code dtype} F32. */
    public static byte[] safetensorsF32(String name, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return safetensors("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + values.length + "],\"data_offsets\":[0,"
                + 4 * values.length + "]}}", b.array());
    }

    /** {@code count} tensors of {@code bytes} bytes each, all over the same data. */
    public static byte[] safetensorsOverlapping(int count, int bytes) {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            h.append(i == 0 ? "" : ",").append("\"kp_detector.w").append(i).append("\":{\"dtype\":\"U8\",\"shape\":[")
                    .append(bytes).append("],\"data_offsets\":[0,").append(bytes).append("]}");
        }
        return safetensors(h.append('}').toString(), new byte[bytes]);
    }

    /** A valid one-tensor file whose metadata holds a string of {@code chars} characters. */
    public static byte[] safetensorsLongMetadata(int chars) {
        String header = "{\"__metadata__\":{\"note\":\"" + "a".repeat(chars) + "\"},"
                + "\"kp_detector.w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        return safetensors(header, new byte[4]);
    }

    /**
     * A legacy torch.save file consistent in each part but not across parts: the tensor is read
     * against a storage of 4 elements, and then the storage-key pickle describes storage "0" again,
     * as 1 element (the data that follows holds 1).
     */
    public static byte[] legacyRedescribedStorage() {
        byte[] main = new PickleWriter().proto(2).emptyDict().str("kp_detector").emptyDict().str("w")
                .tensor("FloatStorage", "0", 4, true, 0, new int[] {4}, new int[] {1})
                .raw('s').raw('s').stop().bytes();
        PickleWriter keys = new PickleWriter().proto(2)
                .storage("FloatStorage", "0", 1, true, null).raw('0')
                .raw(']').mark().str("0").raw('e').stop();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(main);
        f.writeBytes(keys.bytes());
        f.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1).array());
        f.writeBytes(new byte[4]);
        return f.toByteArray();
    }

    /** A legacy file with one tensor {@code name} over a float storage holding {@code values}. */
    public static byte[] legacyFloats(String name, float... values) {
        byte[] main = new PickleWriter().proto(2).emptyDict().str("kp_detector").emptyDict().str(name)
                .tensor("FloatStorage", "0", values.length, true, 0, new int[] {values.length}, new int[] {1})
                .raw('s').raw('s').stop().bytes();
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleWriter.legacyHeader(true));
        f.writeBytes(main);
        f.writeBytes(PickleWriter.legacyStorages(ByteOrder.LITTLE_ENDIAN, new String[] {"0"},
                new byte[][] {data.array()}, new int[] {4}));
        return f.toByteArray();
    }

    /** A zip torch.save file whose data.pkl (deflated) inflates to {@code pickleBytes} bytes. */
    public static void zipPickleBomb(Path p, long pickleBytes) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(new PickleWriter().proto(2).emptyDict().stop().bytes());
            writeZeros(z, pickleBytes - 4);
            z.closeEntry();
        }
    }

    /**
     * A zip torch.save file with one one-element tensor over a deflated float storage of
     * {@code storageNumel} elements.
     */
    public static void zipStorageBomb(Path p, long storageNumel) throws IOException {
        byte[] pkl = new PickleWriter().proto(2).emptyDict().str("kp_detector").emptyDict().str("w")
                .global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(storageNumel)
                .tuple().raw('Q')
                .integer(0).intTuple(1).intTuple(1).bool(false)
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce()
                .raw('s').raw('s').stop().bytes();
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(pkl);
            z.closeEntry();
            z.putNextEntry(new ZipEntry("archive/data/0"));
            writeZeros(z, storageNumel * 4);
            z.closeEntry();
        }
    }

    private static void writeZeros(OutputStream out, long n) throws IOException {
        byte[] zeros = new byte[1 << 20];
        for (long left = n; left > 0; left -= zeros.length) {
            out.write(zeros, 0, (int) Math.min(left, zeros.length));
        }
    }
}
