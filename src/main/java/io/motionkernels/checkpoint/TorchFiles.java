package io.motionkernels.checkpoint;

import io.motionkernels.checkpoint.TorchPickle.Storage;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The two {@code torch.save} containers: the zip archive of PyTorch ≥ 1.6 and the legacy stream of
 * concatenated pickles before it. Both give a top-level object whose tensors name storages; the
 * storage bytes are read afterwards, only for the storages the caller needs.
 */
abstract class TorchFiles implements AutoCloseable {
    /** The pickled top-level object (dicts, lists, {@link TorchPickle.TensorRecord}s …). */
    abstract Object top();

    /**
     * For each storage key of {@code used}, the bytes of its first {@code used.get(key)} elements
     * (those its tensors reach), in the file's byte order.
     */
    abstract Map<String, ByteBuffer> read(Map<String, Long> used);

    @Override
    public abstract void close();

    static CheckpointException corrupt(Path file, String what) {
        return new CheckpointException(file + " is corrupt: " + what + "; copy or download the checkpoint again");
    }

    /** Legacy {@code torch.save}: magic, protocol version, sys_info, object, storage keys, storage data. */
    static final class Legacy extends TorchFiles {
        static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
        static final long PROTOCOL_VERSION = 1001;

        private final Path file;
        private final FileChannel ch;
        private final PickleInput in;
        private final Object top;
        private final Map<String, Storage> storages = new HashMap<>();
        private final List<String> keys = new ArrayList<>();
        private final ByteOrder order;
        private boolean dataRead;

        Legacy(Path file) throws IOException {
            this.file = file;
            this.ch = FileChannel.open(file, StandardOpenOption.READ);
            try {
                in = PickleInput.of(file, ch, 0);
                in.phase = "the torch.save magic number";
                Object magic = TorchPickle.load(in, true, storages);
                if (!MAGIC.equals(magic instanceof Long l ? BigInteger.valueOf(l) : magic)) {
                    throw new CheckpointException(file + " is a Python pickle but not a torch.save checkpoint"
                            + " (no torch.save magic number); pass a Monkey-Net checkpoint (.pth.tar) or a"
                            + " .safetensors file");
                }
                in.phase = "the torch.save protocol version";
                Object version = TorchPickle.load(in, true, storages);
                if (!Long.valueOf(PROTOCOL_VERSION).equals(version)) {
                    throw new CheckpointException(file + " uses torch.save protocol version "
                            + (version instanceof Long ? version : Unpickler.typeName(version)) + ", not the supported " + PROTOCOL_VERSION + "; re-save it with a recent PyTorch");
                }
                in.phase = "the torch.save system information";
                Object sysInfo = TorchPickle.load(in, true, storages);
                boolean little = !(sysInfo instanceof Map<?, ?> m) || !Boolean.FALSE.equals(m.get("little_endian"));
                order = little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                in.phase = "the pickled checkpoint";
                top = TorchPickle.load(in, true, storages);
                in.phase = "the list of storages";
                Object keyList = TorchPickle.load(in, true, storages);
                if (!(keyList instanceof List<?> l)) {
                    throw corrupt(file, "the list of storages is a " + Unpickler.typeName(keyList));
                }
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (Object k : l) {
                    if (!(k instanceof String key) || !storages.containsKey(key)) {
                        throw corrupt(file, "the list of storages names a storage no tensor uses");
                    }
                    if (!seen.add(key)) {
                        throw corrupt(file, "the list of storages names storage " + key + " twice");
                    }
                    keys.add(key);
                }
                checkDataLength();
            } catch (RuntimeException | IOException e) {
                ch.close();
                throw e;
            }
        }

        /** The storage sizes are known now: a file cut anywhere in its data is reported before reading. */
        private void checkDataLength() {
            long need = 0;
            for (String key : keys) {
                Storage s = storages.get(key);
                long bytes = s.dtype() == null ? 0 : s.keyNumel() * s.dtype().size;
                if (bytes < 0 || s.keyNumel() > Long.MAX_VALUE / 8) {
                    throw corrupt(file, "storage " + key + " claims " + s.keyNumel() + " elements");
                }
                need = need > Long.MAX_VALUE - 8 - bytes ? Long.MAX_VALUE : need + 8 + bytes;
            }
            if (need > in.remaining()) {
                throw new CheckpointException(file + " is truncated: its storages need " + need + " bytes after byte "
                        + in.position() + ", but the file ends at byte " + (in.position() + in.remaining())
                        + "; copy or download the checkpoint again");
            }
        }

        @Override
        Object top() {
            return top;
        }

        @Override
        Map<String, ByteBuffer> read(Map<String, Long> used) {
            if (dataRead) {
                throw new IllegalStateException("storages already read");
            }
            dataRead = true;
            Map<String, ByteBuffer> out = new HashMap<>();
            // Storages follow one another in key-list order, each as an 8-byte element count and its
            // elements; those not needed (the optimizer state) are skipped, but their counts are still
            // checked, so a truncated file is noticed wherever it was cut.
            for (String key : keys) {
                Storage s = storages.get(key);
                in.phase = "the data of storage " + key;
                byte[] countBytes = in.readBytes(8);
                long count = ByteBuffer.wrap(countBytes).order(order).getLong();
                if (count != s.keyNumel()) {
                    throw corrupt(file, "storage " + key + " holds " + count + " elements, its tensors expect "
                            + s.keyNumel());
                }
                if (s.dtype() == null) {
                    throw new CheckpointException(file + " holds a storage of type " + s.typeName()
                            + ", which is not supported; save the weights as float tensors");
                }
                if (count > Long.MAX_VALUE / s.dtype().size) {
                    throw in.truncated();
                }
                long bytes = count * s.dtype().size;
                Long want = used.get(key);
                if (want != null && !out.containsKey(key) && want <= count) {
                    long take = want * s.dtype().size;
                    out.put(key, ByteBuffer.wrap(in.readBytes(take)).order(order));
                    in.skip(bytes - take);
                } else {
                    in.skip(bytes);
                }
            }
            for (String key : used.keySet()) {
                if (!out.containsKey(key)) {
                    throw corrupt(file, "storage " + key + " has no data");
                }
            }
            return out;
        }

        @Override
        public void close() {
            try {
                ch.close();
            } catch (IOException e) {
                // Read-only file: nothing was written that closing could lose.
            }
        }
    }

    /** Zip {@code torch.save}: {@code <name>/data.pkl} plus one entry {@code <name>/data/<key>} per storage. */
    static final class Zip extends TorchFiles {
        /** Deflate cannot compress better than about 1032:1; a larger claim is a lie (or a bomb). */
        private static final long MAX_RATIO = 1100;

        private final Path file;
        private final ZipFile zip;
        private final long fileSize;
        private final String prefix;
        private final ByteOrder order;
        private final Object top;
        private final Map<String, Storage> storages = new HashMap<>();

        Zip(Path file) throws IOException {
            this.file = file;
            this.fileSize = Files.size(file);
            try {
                zip = new ZipFile(file.toFile());
            } catch (ZipException e) {
                throw new CheckpointException(file + " is a damaged or truncated zip archive (" + e.getMessage()
                        + "); copy or download the checkpoint again");
            }
            try {
                String found = null;
                boolean torchScript = false;
                for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                    String name = en.nextElement().getName();
                    int slash = name.indexOf('/');
                    if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl") && found == null) {
                        found = name.substring(0, slash + 1);
                    }
                    torchScript |= name.endsWith("/constants.pkl");
                }
                if (found == null) {
                    throw new CheckpointException(file + " is a zip archive but not a torch.save checkpoint (it has"
                            + " no <name>/data.pkl); pass a Monkey-Net checkpoint or a .safetensors file");
                }
                if (torchScript) {
                    throw new CheckpointException(file + " is a TorchScript archive (torch.jit.save), not a"
                            + " torch.save checkpoint; save the state dicts with torch.save instead");
                }
                prefix = found;
                order = readByteOrder();
                ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
                long maxPickle = CheckpointLimits.maxPickleBytes();
                if (pkl.getSize() > maxPickle) {
                    throw new CheckpointException(file + ": its pickle (" + pkl.getName() + ") inflates to "
                            + pkl.getSize() + " bytes, more than the limit of " + maxPickle + "; "
                            + CheckpointLimits.raise(CheckpointLimits.MAX_PICKLE_BYTES));
                }
                byte[] pickle = readEntry(pkl, -1, maxPickle, "data.pkl");
                PickleInput in = PickleInput.of(file, pickle);
                in.phase = "data.pkl";
                top = TorchPickle.load(in, false, storages);
            } catch (RuntimeException | IOException e) {
                zip.close();
                throw e;
            }
        }

        private ByteOrder readByteOrder() throws IOException {
            ZipEntry e = zip.getEntry(prefix + "byteorder");
            if (e == null) {
                return ByteOrder.LITTLE_ENDIAN; // files from before the record existed were all little-endian
            }
            String s = new String(readEntry(e, -1, 16, "byteorder"), StandardCharsets.US_ASCII).trim();
            return switch (s) {
                case "little" -> ByteOrder.LITTLE_ENDIAN;
                case "big" -> ByteOrder.BIG_ENDIAN;
                default -> throw corrupt(file, "the byteorder record says '" + s + "'");
            };
        }

        /** An entry's bytes; {@code expected} ≥ 0 demands exactly that size, else at most {@code max}. */
        private byte[] readEntry(ZipEntry e, long expected, long max, String what) throws IOException {
            return readEntry(e, expected, max, what, e.getSize());
        }

        /** Like {@link #readEntry(ZipEntry, long, long, String)}, reading only the first {@code take} bytes. */
        private byte[] readEntry(ZipEntry e, long expected, long max, String what, long take) throws IOException {
            long size = e.getSize();
            long csize = e.getCompressedSize();
            boolean sizeOk = expected >= 0 ? size == expected : size >= 0 && size <= max;
            long bound = e.getMethod() == ZipEntry.STORED ? fileSize : Math.max(csize, 0) * MAX_RATIO + 1024;
            if (!sizeOk || size > bound || take > Integer.MAX_VALUE - 8) {
                throw corrupt(file, "zip entry " + e.getName() + " (" + what + ") has " + size + " bytes"
                        + (expected >= 0 ? ", expected " + expected : ""));
            }
            try (InputStream is = zip.getInputStream(e)) {
                byte[] b = is.readNBytes((int) take);
                if (take < size) {
                    if (b.length != take) {
                        throw corrupt(file, "zip entry " + e.getName() + " is shorter than " + size + " bytes");
                    }
                    return b;
                }
                if (b.length != size || is.read() >= 0) {
                    throw corrupt(file, "zip entry " + e.getName() + " is not " + size + " bytes long");
                }
                return b;
            } catch (ZipException | java.io.EOFException ex) {
                throw new CheckpointException(file + " is damaged or truncated: zip entry " + e.getName()
                        + " cannot be read (" + ex.getMessage() + "); copy or download the checkpoint again");
            }
        }

        @Override
        Object top() {
            return top;
        }

        @Override
        Map<String, ByteBuffer> read(Map<String, Long> used) {
            Map<String, ByteBuffer> out = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, Long> u : used.entrySet()) {
                    Storage s = storages.get(u.getKey());
                    if (s.dtype() == null) {
                        throw new CheckpointException(file + " holds a storage of type " + s.typeName()
                                + ", which is not supported; save the weights as float tensors");
                    }
                    ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
                    if (e == null) {
                        throw corrupt(file, "the data of storage " + s.key() + " is missing from the archive");
                    }
                    long bytes = s.keyNumel() > Long.MAX_VALUE / 8 ? -2 : s.keyNumel() * s.dtype().size;
                    long take = Math.min(u.getValue(), s.keyNumel()) * s.dtype().size;
                    byte[] b = readEntry(e, bytes, bytes, "storage " + s.key(), take);
                    out.put(s.key(), ByteBuffer.wrap(b).order(order));
                }
            } catch (IOException e) {
                throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return out;
        }

        @Override
        public void close() {
            try {
                zip.close();
            } catch (IOException e) {
                // Read-only file: nothing was written that closing could lose.
            }
        }
    }
}
