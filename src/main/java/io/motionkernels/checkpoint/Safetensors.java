package io.motionkernels.checkpoint;

import io.motionkernels.tensor.Tensor;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes <a href="https://huggingface.co/docs/safetensors">safetensors</a> files: an
 * 8-byte little-endian header length, a JSON header, then raw little-endian tensor data. Every
 * numeric dtype is converted to float32 on read, since that is what the engine computes in.
 */
public final class Safetensors {
    /** Headers beyond this are not weights files; refusing them bounds memory on corrupt input. */
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** The tensors of a file in header order, and its {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Tensor require(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new CheckpointException("missing tensor '" + name + "'");
            }
            return t;
        }
    }

    public static Contents read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file + " is not a safetensors file: only " + size + " bytes");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 1 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new CheckpointException(file + " is not a safetensors file or is truncated (header length "
                        + headerLen + ", file size " + size + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            String json = new String(hb.array(), StandardCharsets.UTF_8);
            Map<String, Object> header = parseHeader(file, json);
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    if (e.getValue() instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
                    }
                    continue;
                }
                tensors.put(e.getKey(), readTensor(file, ch, e.getKey(), e.getValue(), dataStart, dataLen));
            }
            return new Contents(tensors, metadata);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parseHeader(Path file, String json) {
        try {
            LoaderOptions opts = new LoaderOptions();
            opts.setCodePointLimit(Integer.MAX_VALUE);
            Object o = new Yaml(new SafeConstructor(opts)).load(json);
            if (o instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
        } catch (RuntimeException e) {
            throw new CheckpointException(file + " has a corrupt safetensors header: " + e.getMessage(), e);
        }
        throw new CheckpointException(file + " has a corrupt safetensors header: not a JSON object");
    }

    private static Tensor readTensor(Path file, FileChannel ch, String name, Object spec, long dataStart, long dataLen)
            throws IOException {
        if (!(spec instanceof Map<?, ?> m) || !(m.get("dtype") instanceof String dtype)
                || !(m.get("shape") instanceof List<?> shapeList) || !(m.get("data_offsets") instanceof List<?> offs)
                || offs.size() != 2) {
            throw new CheckpointException(file + ": tensor '" + name + "' has a malformed header entry");
        }
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long s = integer(file, name, shapeList.get(i));
            if (s < 0 || s > Integer.MAX_VALUE) {
                throw new CheckpointException(file + ": tensor '" + name + "' has a bad shape " + shapeList);
            }
            shape[i] = (int) s;
            // Saturate: a product of several huge dimensions must not wrap around into a small count.
            numel = Math.min(numel * s, 1L << 31);
        }
        int width = switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> throw new CheckpointException(file + ": tensor '" + name + "' has unsupported dtype " + dtype);
        };
        long begin = integer(file, name, offs.get(0));
        long end = integer(file, name, offs.get(1));
        if (begin < 0 || end < begin || end > dataLen || end - begin != numel * width) {
            throw new CheckpointException(file + " is truncated or corrupt: tensor '" + name + "' spans bytes ["
                    + begin + ", " + end + ") of " + dataLen + " for " + numel + " " + dtype + " values");
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + ": tensor '" + name + "' is too large");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, buf, dataStart + begin);
        buf.flip();
        float[] out = new float[(int) numel];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case "F32" -> buf.getFloat();
                case "F64" -> (float) buf.getDouble();
                case "F16" -> Float.intBitsToFloat(halfToFloatBits(buf.getShort()));
                case "BF16" -> Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
                case "I64", "U64" -> buf.getLong();
                case "I32", "U32" -> buf.getInt();
                case "I16" -> buf.getShort();
                case "U16" -> buf.getShort() & 0xffff;
                case "I8" -> buf.get();
                default -> buf.get() & 0xff;
            };
        }
        return Tensor.of(out, shape);
    }

    /** A header number; anything else (a string, a float, an integer beyond long) is a corrupt header. */
    private static long integer(Path file, String name, Object o) {
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        throw new CheckpointException(file + ": tensor '" + name + "' has a malformed header entry (a "
                + (o == null ? "null" : o.getClass().getSimpleName()) + " where an integer belongs)");
    }

    static int halfToFloatBits(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            if (mant == 0) {
                return sign;
            }
            float f = mant * 0x1p-24f;
            return sign | Float.floatToRawIntBits(f);
        }
        if (exp == 31) {
            return sign | 0x7f800000 | (mant << 13);
        }
        return sign | ((exp + 112) << 23) | (mant << 13);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new CheckpointException("unexpected end of file");
            }
            pos += n;
        }
    }

    /** Writes float32 tensors (in map order) and string metadata. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder json = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                json.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
                first = false;
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            long bytes = 4L * e.getValue().numel();
            json.append(quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":[");
            int[] shape = e.getValue().shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - header.length % 8) % 8;
        ByteBuffer out = ByteBuffer.allocate((int) (8 + header.length + pad + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length + pad).put(header);
        for (int i = 0; i < pad; i++) {
            out.put((byte) ' ');
        }
        for (Tensor t : tensors.values()) {
            for (float v : t.data()) {
                out.putFloat(v);
            }
        }
        Files.write(file, out.array());
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
