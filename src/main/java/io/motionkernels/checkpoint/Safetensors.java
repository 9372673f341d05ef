package io.motionkernels.checkpoint;

import io.motionkernels.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes <a href="https://huggingface.co/docs/safetensors">safetensors</a> files: an
 * 8-byte little-endian header length, a JSON header, then raw little-endian tensor data. Every
 * numeric dtype is converted to float32 on read, since that is what the engine computes in.
 */
public final class Safetensors {
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

    /** A header entry, checked: {@code [begin, end)} are byte offsets into the data section. */
    private record Entry(String name, String dtype, int width, int[] shape, long numel, long begin, long end) {
    }

    public static Contents read(Path file) {
        return read(file, null);
    }

    /** Like {@link #read(Path)}; {@code dtypes}, when given, receives each tensor's stored dtype. */
    static Contents read(Path file, Map<String, String> dtypes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file + " is not a safetensors file: only " + size + " bytes");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 1 || headerLen > size - 8) {
                throw new CheckpointException(file + " is not a safetensors file or is truncated (header length "
                        + headerLen + ", file size " + size + ")");
            }
            long maxHeader = CheckpointLimits.maxHeaderBytes();
            if (headerLen > maxHeader || headerLen > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(file + " has a safetensors header of " + headerLen + " bytes, more than"
                        + " the limit of " + maxHeader + "; " + CheckpointLimits.raise(CheckpointLimits.MAX_HEADER_BYTES));
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            Map<String, Object> header;
            try {
                // one more than the tensors: the optional __metadata__ entry
                long max = CheckpointLimits.maxTensors();
                header = StrictJson.parseObject(hb.array(), max + 1, "it names more than " + max + " tensors, the"
                        + " limit; " + CheckpointLimits.raise(CheckpointLimits.MAX_TENSORS));
            } catch (StrictJson.Invalid e) {
                throw new CheckpointException(file + " has a corrupt safetensors header: " + e.getMessage()
                        + (e.getMessage().contains("-D") ? "" : "; copy or download the checkpoint again"));
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Object> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    metadata(file, e.getValue(), metadata);
                } else {
                    entries.add(entry(file, e.getKey(), e.getValue(), dataLen));
                }
            }
            if (entries.size() > CheckpointLimits.maxTensors()) {
                throw new CheckpointException(file + " names " + entries.size() + " tensors, more than the limit of "
                        + CheckpointLimits.maxTensors() + "; " + CheckpointLimits.raise(CheckpointLimits.MAX_TENSORS));
            }
            checkDisjoint(file, entries);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                tensors.put(e.name(), readTensor(ch, e, dataStart));
                if (dtypes != null) {
                    dtypes.put(e.name(), e.dtype());
                }
            }
            return new Contents(tensors, metadata);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The format's {@code __metadata__}: an object of strings only. */
    private static void metadata(Path file, Object value, Map<String, String> out) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new CheckpointException(file + " has a corrupt safetensors header: __metadata__ is a "
                    + kind(value) + ", not an object of strings; copy or download the checkpoint again");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String v)) {
                throw new CheckpointException(file + " has a corrupt safetensors header: __metadata__ entry '"
                        + shown((String) e.getKey()) + "' is a " + kind(e.getValue()) + ", not a string;"
                        + " copy or download the checkpoint again");
            }
            out.put((String) e.getKey(), v);
        }
    }

    private static Entry entry(Path file, String name, Object spec, long dataLen) {
        if (!(spec instanceof Map<?, ?> m) || !(m.get("dtype") instanceof String dtype)
                || !(m.get("shape") instanceof List<?> shapeList) || !(m.get("data_offsets") instanceof List<?> offs)
                || offs.size() != 2) {
            throw new CheckpointException(file + ": tensor '" + shown(name) + "' has a malformed header entry");
        }
        if (shapeList.size() > 64) {
            throw new CheckpointException(file + ": tensor '" + shown(name) + "' has " + shapeList.size()
                    + " dimensions; copy or download the checkpoint again");
        }
        int width = switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> throw new CheckpointException(file + ": tensor '" + shown(name) + "' has unsupported dtype "
                    + shown(dtype));
        };
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            long s = integer(file, name, shapeList.get(i));
            if (s < 0) {
                throw new CheckpointException(file + ": tensor '" + shown(name) + "' has a negative dimension " + s);
            }
            shape[i] = (int) Math.min(s, Integer.MAX_VALUE);
            overflow |= s > Integer.MAX_VALUE;
            try {
                numel = Math.multiplyExact(numel, s);
            } catch (ArithmeticException e) {
                overflow = true;
            }
        }
        long begin = integer(file, name, offs.get(0));
        long end = integer(file, name, offs.get(1));
        if (overflow || numel > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + ": tensor '" + shown(name) + "' declares the shape "
                    + (overflow ? "of " + shape.length + " dimensions" : java.util.Arrays.toString(shape))
                    + ", more values than one Java array holds (2^31); it is corrupt, or too large for this library");
        }
        long bytes = numel * width;
        if (begin < 0 || end < begin || end > dataLen || end - begin != bytes) {
            throw new CheckpointException(file + " is truncated or corrupt: tensor '" + shown(name) + "' spans bytes ["
                    + begin + ", " + end + ") of " + dataLen + " for " + numel + " " + dtype + " values");
        }
        return new Entry(name, dtype, width, shape, numel, begin, end);
    }

    /** Data ranges may not overlap: else a small file could name the same megabyte many times over. */
    private static void checkDisjoint(Path file, List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.end() == e.begin()) {
                continue;
            }
            if (prev != null && e.begin() < prev.end()) {
                throw new CheckpointException(file + " is corrupt: the data of tensors '" + shown(prev.name()) + "' and '"
                        + shown(e.name()) + "' overlap (bytes [" + prev.begin() + ", " + prev.end() + ") and ["
                        + e.begin() + ", " + e.end() + ")); copy or download the checkpoint again");
            }
            prev = e;
        }
    }

    private static Tensor readTensor(FileChannel ch, Entry e, long dataStart) throws IOException {
        // A Java array holds under 2^31 bytes: wide types are read in chunks.
        float[] out = new float[(int) e.numel()];
        int perChunk = (1 << 24) / e.width();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(e.end() - e.begin(), (long) perChunk * e.width()))
                .order(ByteOrder.LITTLE_ENDIAN);
        String dtype = e.dtype();
        long pos = dataStart + e.begin();
        for (int at = 0; at < out.length; at += perChunk) {
            int n = Math.min(perChunk, out.length - at);
            buf.clear().limit(n * e.width());
            readFully(ch, buf, pos);
            pos += (long) n * e.width();
            buf.flip();
            if (dtype.equals("F32")) {
                buf.asFloatBuffer().get(out, at, n);
                continue;
            }
            for (int i = at; i < at + n; i++) {
                out[i] = switch (dtype) {
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
        }
        return Tensor.of(out, e.shape());
    }

    /** Whether a safetensors dtype holds integers (or booleans) rather than floating-point values. */
    static boolean isIntegerType(String dtype) {
        return !dtype.startsWith("F") && !dtype.equals("BF16");
    }

    /** A name or value from the file, shortened for a message. */
    static String shown(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.length() < s.length() ? b + "…" : b.toString();
    }

    private static String kind(Object o) {
        return o == null ? "null" : o instanceof Map ? "object" : o instanceof List ? "list"
                : o instanceof String ? "string" : o instanceof Boolean ? "boolean" : "number";
    }

    /** A header number; anything else (a string, a float, an integer beyond long) is a corrupt header. */
    private static long integer(Path file, String name, Object o) {
        if (o instanceof Long l) {
            return l;
        }
        throw new CheckpointException(file + ": tensor '" + shown(name) + "' has a malformed header entry (a "
                + (o instanceof java.math.BigInteger ? "number beyond 2^63" : kind(o)) + " where an integer belongs)");
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

    /** Writes float32 tensors (in map order) and string metadata; any size a file system takes. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(ch, tensors, metadata);
        }
    }

    /**
     * Writes {@code out} whole or not at all: into a new file beside it (with the normal
     * permissions of a new file, as the GIF and PNG outputs get), forced to disk, then renamed.
     */
    public static void writeAtomically(Path out, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Path target = out.toAbsolutePath();
        Path folder = target.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new CheckpointException("cannot write " + out + ": its folder does not exist; create it first or"
                    + " choose another output path");
        }
        if (Files.isDirectory(target)) {
            throw new CheckpointException("cannot write " + out + ": it is a folder; give a file name ending in"
                    + " .safetensors");
        }
        if (!Files.isWritable(folder)) {
            throw new CheckpointException("cannot write into folder " + folder + ": permission denied; choose another"
                    + " output path");
        }
        Path tmp = null;
        try {
            for (int attempt = 0; tmp == null; attempt++) {
                Path p = folder.resolve("." + target.getFileName() + "."
                        + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    tmp = p;
                    write(ch, tensors, metadata);
                    ch.force(true);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    if (attempt >= 10) {
                        throw e;
                    }
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (java.nio.file.AccessDeniedException e) {
            throw new CheckpointException("cannot write " + out + ": permission denied; choose another output path", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + out + ": " + e + "; check the disk space and the path", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // the original failure is what the user needs to see
                }
            }
        }
    }

    private static void write(FileChannel ch, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
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
        ByteBuffer head = ByteBuffer.allocate(8 + header.length + pad).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(header.length + pad).put(header);
        for (int i = 0; i < pad; i++) {
            head.put((byte) ' ');
        }
        writeFully(ch, head.flip());
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors.values()) {
            float[] data = t.data();
            for (int at = 0; at < data.length; at += chunk.capacity() / 4) {
                int n = Math.min(chunk.capacity() / 4, data.length - at);
                chunk.clear();
                chunk.asFloatBuffer().put(data, at, n);
                chunk.limit(n * 4);
                writeFully(ch, chunk);
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
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
