package io.motionkernels.checkpoint;

import io.motionkernels.checkpoint.TorchPickle.TensorRecord;
import io.motionkernels.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads Monkey-Net weights from every format users have, without Python: safetensors, the zip
 * {@code torch.save} format (PyTorch ≥ 1.6) and the legacy {@code torch.save} format of the published
 * checkpoints. The format is recognised by content, not by file name. Pickled files are read by a
 * restricted unpickler that builds only containers and tensors (PyTorch's {@code weights_only}
 * promise): a file naming any other Python global is refused, never executed.
 *
 * <p>Only the {@code generator} and {@code kp_detector} state dicts are kept (discriminator and
 * optimizer states are skipped without reading their data), as full names {@code generator.<key>} /
 * {@code kp_detector.<key>}, converted to float32 with PyTorch's size, stride and offset honoured.
 */
public final class Checkpoints {
    static final String[] NETWORKS = {"generator", "kp_detector"};

    private Checkpoints() {
    }

    public enum Format {
        SAFETENSORS("safetensors"),
        TORCH_ZIP("torch.save zip (PyTorch >= 1.6)"),
        TORCH_LEGACY("legacy torch.save (PyTorch < 1.6)");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * A summary for the command line. {@code topLevel} lists the checkpoint's top-level keys (for
     * safetensors, its metadata keys); {@code epoch} and {@code it} are null where the file has none.
     */
    public record Description(Path file, Format format, List<String> topLevel, Long epoch, Long it,
                              int generatorTensors, int kpDetectorTensors) {
        public int tensorCount() {
            return generatorTensors + kpDetectorTensors;
        }

        @Override
        public String toString() {
            return file + ": " + format + ", " + tensorCount() + " tensors (generator " + generatorTensors
                    + ", kp_detector " + kpDetectorTensors + ")" + (epoch != null ? ", epoch " + epoch : "")
                    + (it != null ? ", iteration " + it : "") + ", top level " + topLevel;
        }
    }

    /** The generator and kp_detector weights of {@code file}, by full name. */
    public static StateDict load(Path file) {
        return read(file).weights;
    }

    /** What {@code file} holds: its format, top-level keys, epoch, iteration and tensor counts. */
    public static Description describe(Path file) {
        return read(file).description;
    }

    private record Loaded(StateDict weights, Description description) {
    }

    /** The format of {@code file}, recognised by its first bytes. */
    public static Format detect(Path file) {
        if (Files.isDirectory(file)) {
            throw new CheckpointException("checkpoint " + file + " is a directory; pass the checkpoint file");
        }
        byte[] head;
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 16));
            while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
                // positional reads until the (at most 16) head bytes are in
            }
            head = java.util.Arrays.copyOf(b.array(), b.position());
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint " + file + " does not exist; check the path");
        } catch (AccessDeniedException e) {
            throw new CheckpointException("checkpoint " + file + " cannot be read (permission denied)");
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        if (size == 0) {
            throw new CheckpointException("checkpoint " + file + " is empty (0 bytes); copy or download it again");
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5)) {
            return Format.TORCH_ZIP;
        }
        if ((head[0] & 0xff) == 0x80) {
            return Format.TORCH_LEGACY;
        }
        if (head.length >= 9 && head[8] == '{') {
            long headerLen = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen > 1) {
                return Format.SAFETENSORS;
            }
        }
        if (size < 16) {
            throw new CheckpointException("checkpoint " + file + " is only " + size + " bytes: it is truncated or"
                    + " not a checkpoint; copy or download it again");
        }
        throw new CheckpointException(file + " is not a checkpoint" + guess(head) + ": expected a .safetensors"
                + " file or a PyTorch checkpoint saved with torch.save (e.g. Monkey-Net's .pth.tar)");
    }

    private static String guess(byte[] h) {
        if (h[0] == (byte) 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') {
            return " (it is a PNG image)";
        }
        if (h[0] == (byte) 0xff && h[1] == (byte) 0xd8) {
            return " (it is a JPEG image)";
        }
        if (h[0] == 'G' && h[1] == 'I' && h[2] == 'F') {
            return " (it is a GIF image)";
        }
        if (h[0] == 0x1f && h[1] == (byte) 0x8b) {
            return " (it is gzip-compressed: decompress it first)";
        }
        if (h[0] == '<' || h[0] == '{') {
            return " (it is a text file)";
        }
        return "";
    }

    private static Loaded read(Path file) {
        Format format = detect(file);
        try {
            return switch (format) {
                case SAFETENSORS -> readSafetensors(file);
                case TORCH_ZIP -> {
                    try (TorchFiles t = new TorchFiles.Zip(file)) {
                        yield extract(file, format, t);
                    }
                }
                case TORCH_LEGACY -> {
                    try (TorchFiles t = new TorchFiles.Legacy(file)) {
                        yield extract(file, format, t);
                    }
                }
            };
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // Every declared size is bounded by the file's own size before allocation, so this is a
            // genuine checkpoint larger than the heap.
            throw new CheckpointException("checkpoint " + file + " does not fit in memory; run Java with a larger"
                    + " heap (-Xmx)", e);
        }
    }

    private static Loaded readSafetensors(Path file) {
        Safetensors.Contents c;
        Map<String, String> dtypes = new LinkedHashMap<>();
        try {
            c = Safetensors.read(file, dtypes);
        } catch (CheckpointException e) {
            throw e.getMessage().contains(file.toString()) ? e
                    : new CheckpointException(file + ": " + e.getMessage(), e);
        }
        Map<String, Tensor> kept = new LinkedHashMap<>();
        int[] counts = new int[2];
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            for (int i = 0; i < NETWORKS.length; i++) {
                if (e.getKey().startsWith(NETWORKS[i] + ".")) {
                    kept.put(e.getKey(), e.getValue());
                    counts[i]++;
                }
            }
        }
        if (kept.isEmpty()) {
            throw new CheckpointException(file + " holds no tensor named generator.* or kp_detector.* ("
                    + c.tensors().size() + " tensors" + firstKeys(c.tensors().keySet()) + "); it is not a"
                    + " Monkey-Net checkpoint, or its names lack the network prefix");
        }
        java.util.Set<String> integers = new java.util.HashSet<>();
        dtypes.forEach((name, dtype) -> {
            if (Safetensors.isIntegerType(dtype)) {
                integers.add(name);
            }
        });
        WeightChecks.check(file, kept);
        Description d = new Description(file, Format.SAFETENSORS, List.copyOf(c.metadata().keySet()),
                parseLong(c.metadata().get("epoch")), parseLong(c.metadata().get("it")), counts[0], counts[1]);
        return new Loaded(new StateDict(file.toString(), kept, integers), d);
    }

    private static Long parseLong(String s) {
        try {
            return s == null ? null : Long.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String firstKeys(Iterable<?> keys) {
        List<String> shown = new ArrayList<>();
        int n = 0;
        for (Object k : keys) {
            if (n++ < 8) {
                shown.add(k instanceof String s ? "'" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "'"
                        : Unpickler.typeName(k));
            }
        }
        return n == 0 ? "" : ", keys " + String.join(", ", shown) + (n > 8 ? ", …" : "");
    }

    private static Loaded extract(Path file, Format format, TorchFiles t) throws IOException {
        Object top = t.top();
        if (!(top instanceof Map<?, ?> m)) {
            throw new CheckpointException(file + " holds a " + Unpickler.typeName(top) + ", not a dict of state"
                    + " dicts; expected {'generator': …, 'kp_detector': …} as in Monkey-Net's checkpoints");
        }
        Map<String, TensorRecord> records = new LinkedHashMap<>();
        int[] counts = new int[2];
        boolean any = false;
        for (int i = 0; i < NETWORKS.length; i++) {
            Object sd = m.get(NETWORKS[i]);
            if (sd == null) {
                continue;
            }
            if (!(sd instanceof Map<?, ?> state)) {
                throw new CheckpointException(file + ": '" + NETWORKS[i] + "' is a " + Unpickler.typeName(sd)
                        + ", not a state dict");
            }
            any = true;
            for (Map.Entry<?, ?> e : state.entrySet()) {
                // Non-tensor entries (a module's extra state) cannot be weights; the model reports
                // anything it misses.
                if (e.getKey() instanceof String key && e.getValue() instanceof TensorRecord r) {
                    records.put(NETWORKS[i] + "." + key, r);
                    counts[i]++;
                }
            }
        }
        if (!any) {
            any = fullNames(m, records, counts);
        }
        if (!any) {
            boolean bare = !m.isEmpty() && m.values().stream().allMatch(v -> v instanceof TensorRecord);
            throw new CheckpointException(file + (bare
                    ? " holds a bare state dict (" + m.size() + " tensors" + firstKeys(m.keySet()) + ") without"
                    + " saying which network it belongs to; re-save it as torch.save({'kp_detector': sd}, path)"
                    + " or torch.save({'generator': sd}, path)"
                    : " holds a dict without 'generator' or 'kp_detector'" + firstKeys(m.keySet())
                    + "; it is not a Monkey-Net checkpoint"));
        }
        Map<String, Tensor> tensors = materialize(file, t, records);
        java.util.Set<String> integers = new java.util.HashSet<>();
        records.forEach((name, r) -> {
            if (r.storage().dtype().integer) {
                integers.add(name);
            }
        });
        WeightChecks.check(file, tensors);
        List<String> topLevel = new ArrayList<>();
        for (Object k : m.keySet()) {
            topLevel.add(k instanceof String s ? s : Unpickler.typeName(k));
        }
        Description d = new Description(file, format, List.copyOf(topLevel), asLong(m.get("epoch")),
                asLong(m.get("it")), counts[0], counts[1]);
        return new Loaded(new StateDict(file.toString(), tensors, integers), d);
    }

    /** A flat dict whose keys already are full names ({@code kp_detector.predictor…}). */
    private static boolean fullNames(Map<?, ?> m, Map<String, TensorRecord> records, int[] counts) {
        if (m.isEmpty()) {
            return false;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof TensorRecord)
                    || !(k.startsWith("generator.") || k.startsWith("kp_detector."))) {
                return false;
            }
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = (String) e.getKey();
            records.put(k, (TensorRecord) e.getValue());
            counts[k.startsWith("generator.") ? 0 : 1]++;
        }
        return true;
    }

    private static Long asLong(Object o) {
        return o instanceof Long l ? l : null;
    }

    private static Map<String, Tensor> materialize(Path file, TorchFiles t, Map<String, TensorRecord> records)
            throws IOException {
        // Sizes come from the file: each tensor already fits in its storage (TorchPickle checks), and
        // storages shared by many tensors must not multiply into more memory than the file could hold.
        long budget = 2 * Files.size(file) + (1L << 20);
        long total = 0;
        // Per storage key, the elements its kept tensors reach: only those are read, so a huge
        // storage behind a one-element tensor costs one element (and a deflated one is not inflated).
        Map<String, Long> used = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRecord> e : records.entrySet()) {
            TensorRecord r = e.getValue();
            if (r.storage().dtype() == null) {
                throw new CheckpointException(file + ": tensor '" + e.getKey() + "' is stored as "
                        + r.storage().typeName() + ", which is not supported; save the weights as float tensors");
            }
            total += r.numel();
            used.merge(r.storage().key(), TorchPickle.extentEnd(r), Math::max);
        }
        if (total > budget) {
            throw TorchFiles.corrupt(file, "its tensors claim " + total + " values, more than the file could hold");
        }
        Map<String, ByteBuffer> data = t.read(used);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRecord> e : records.entrySet()) {
            TensorRecord r = e.getValue();
            float[] values = TorchPickle.materialize(file, r, data.get(r.storage().key()));
            out.put(e.getKey(), Tensor.of(values, r.size()));
        }
        return out;
    }
}
