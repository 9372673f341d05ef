package io.motionkernels.checkpoint;

import io.motionkernels.checkpoint.Unpickler.Global;
import io.motionkernels.checkpoint.Unpickler.Tuple;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policy of the restricted unpickler for {@code torch.save} files, the same promise as
 * PyTorch's {@code weights_only} loading: containers, tensors and storages, nothing else. Tensors
 * become {@link TensorRecord}s that name their storage; the bytes are read later, and only for the
 * tensors that are kept.
 */
final class TorchPickle implements Unpickler.Resolver {
    /** Element types of torch storages; everything is converted to float32. */
    enum DType {
        F32(4, false), F64(8, false), F16(2, false), BF16(2, false), I64(8, true), I32(4, true), I16(2, true),
        I8(1, true), U8(1, true), BOOL(1, true);

        final int size;
        /** Integers or booleans: never the values of trained weights. */
        final boolean integer;

        DType(int size, boolean integer) {
            this.size = size;
            this.integer = integer;
        }
    }

    private static final Map<String, DType> STORAGE_TYPES = Map.of(
            "FloatStorage", DType.F32, "DoubleStorage", DType.F64, "HalfStorage", DType.F16,
            "BFloat16Storage", DType.BF16, "LongStorage", DType.I64, "IntStorage", DType.I32,
            "ShortStorage", DType.I16, "CharStorage", DType.I8, "ByteStorage", DType.U8, "BoolStorage", DType.BOOL);

    private static final Set<String> REBUILD = Set.of("torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state", "torch._tensor._rebuild_from_type_v2");

    /** Globals that are markers only: naming them is fine, calling them is not. */
    private static final Set<String> MARKERS = Set.of("torch.Tensor", "torch.nn.parameter.Parameter");

    private static final Set<String> CALLABLE = Set.of("collections.OrderedDict", "torch.device", "torch.Size",
            "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset");

    /**
     * Storage data named by a persistent id. {@code key} names the bytes in the file (a zip entry, or
     * a legacy storage record); a legacy view covers elements [base, base + numel) of its key's data.
     */
    record Storage(String key, String typeName, DType dtype, long keyNumel, long base, long numel) {
    }

    /** A tensor: a strided view of a storage (PyTorch's size/stride/offset, in elements). */
    record TensorRecord(Storage storage, long offset, int[] size, long[] stride) {
        long numel() {
            long n = 1;
            for (int s : size) {
                n *= s;
            }
            return n;
        }
    }

    private final Path file;
    private final boolean legacy;
    private final PickleInput in;
    /** Every storage described so far, in this pickle and in the file's earlier ones. */
    private final Map<String, Storage> storages;

    private TorchPickle(Path file, boolean legacy, PickleInput in, Map<String, Storage> storages) {
        this.file = file;
        this.legacy = legacy;
        this.in = in;
        this.storages = storages;
    }

    /**
     * Reads one pickle of a torch file; {@code legacy} selects the persistent-id layout. {@code storages}
     * holds the storages the file's earlier pickles described and receives this one's: a storage is
     * described once, so a later pickle cannot resize the data an earlier tensor was checked against.
     */
    static Object load(PickleInput in, boolean legacy, Map<String, Storage> storages) {
        return Unpickler.load(in, new TorchPickle(in.file, legacy, in, storages));
    }

    private CheckpointException corrupt(String what) {
        return new CheckpointException(file + " is corrupt: " + what + " in " + in.phase
                + "; copy or download the checkpoint again");
    }

    @Override
    public Global global(String module, String name) {
        String q = module + "." + name;
        boolean storage = module.equals("torch") && name.endsWith("Storage") && name.length() > 7;
        if (REBUILD.contains(q) || MARKERS.contains(q) || CALLABLE.contains(q) || storage) {
            return new Global(module, name);
        }
        throw Unpickler.refused(file, "refers to the Python global '" + printable(q) + "'");
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
            if (b.length() > 200) {
                return b.append('…').toString();
            }
        }
        return b.toString();
    }

    @Override
    public Object call(Global g, Tuple args) {
        String q = g.qualified();
        switch (q) {
            case "collections.OrderedDict" -> {
                if (args.size() != 0) {
                    throw corrupt("OrderedDict built with arguments");
                }
                return new LinkedHashMap<>();
            }
            case "torch.device" -> {
                StringBuilder b = new StringBuilder();
                for (Object o : args.items) {
                    if (!(o instanceof String) && !(o instanceof Long)) {
                        throw corrupt("torch.device of a " + Unpickler.typeName(o));
                    }
                    b.append(b.length() == 0 ? "" : ":").append(o);
                }
                return b.toString();
            }
            case "torch.Size" -> {
                if (args.size() != 1 || !(args.get(0) instanceof Tuple t)) {
                    throw corrupt("torch.Size of something other than a tuple");
                }
                return t;
            }
            case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset" -> {
                Set<Object> s = new LinkedHashSet<>();
                if (args.size() == 1 && args.get(0) instanceof List<?> items) {
                    for (Object o : items) {
                        if (o instanceof List<?> || o instanceof Map<?, ?> || o instanceof Set<?>) {
                            throw corrupt("an unhashable set element");
                        }
                        s.add(o);
                    }
                } else if (args.size() != 0) {
                    throw corrupt("a set built from a " + Unpickler.typeName(args.get(0)));
                }
                return s;
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.size() != 6 && args.size() != 7) {
                    throw corrupt("_rebuild_tensor_v2 with " + args.size() + " arguments");
                }
                return tensor(args);
            }
            case "torch._utils._rebuild_tensor" -> {
                if (args.size() != 4) {
                    throw corrupt("_rebuild_tensor with " + args.size() + " arguments");
                }
                return tensor(args);
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (args.size() < 1 || !(args.get(0) instanceof TensorRecord t)) {
                    throw corrupt(g.name() + " of something other than a tensor");
                }
                return t;
            }
            case "torch._tensor._rebuild_from_type_v2" -> {
                // (func, type, args, state): a tensor (sub)class; the Python-side state is dropped.
                if (args.size() != 4 || !(args.get(0) instanceof Global func) || !REBUILD.contains(func.qualified())
                        || func.qualified().equals(q) || !(args.get(1) instanceof Global type)
                        || !MARKERS.contains(type.qualified()) || !(args.get(2) instanceof Tuple inner)) {
                    throw corrupt("an unexpected _rebuild_from_type_v2 call");
                }
                return call(func, inner);
            }
            default -> throw Unpickler.refused(file, "calls the Python global '" + printable(q) + "'");
        }
    }

    private TensorRecord tensor(Tuple args) {
        if (!(args.get(0) instanceof Storage s)) {
            throw corrupt("a tensor whose storage is a " + Unpickler.typeName(args.get(0)));
        }
        long offset = nonNegative(args.get(1), "storage offset");
        if (!(args.get(2) instanceof Tuple sizeT) || !(args.get(3) instanceof Tuple strideT)
                || sizeT.size() != strideT.size() || sizeT.size() > 64) {
            throw corrupt("a tensor with a malformed size or stride");
        }
        int[] size = new int[sizeT.size()];
        long[] stride = new long[size.length];
        long last = offset;
        for (int i = 0; i < size.length; i++) {
            long n = nonNegative(sizeT.get(i), "size");
            long st = nonNegative(strideT.get(i), "stride");
            if (n > Integer.MAX_VALUE - 8 || st > Long.MAX_VALUE / 4 / Math.max(n, 1)) {
                throw corrupt("a tensor of size " + n + " with stride " + st);
            }
            size[i] = (int) n;
            stride[i] = st;
            long reach = n > 0 ? (n - 1) * st : 0;
            last = last > Long.MAX_VALUE - reach ? Long.MAX_VALUE : last + reach;
        }
        TensorRecord t = new TensorRecord(s, offset, size, stride);
        long realNumel = exactNumel(size);
        // A tensor larger than its storage would need overlapping strides (expand()); state dicts
        // never hold those, and refusing them bounds what we allocate by the file's own size.
        if (realNumel > 0 && (last >= s.numel() || realNumel > s.numel())) {
            throw corrupt("a tensor of " + realNumel + " elements reaching element " + last + " of a storage of "
                    + s.numel());
        }
        return t;
    }

    private static long exactNumel(int[] size) {
        long n = 1;
        for (int s : size) {
            if (s == 0) {
                return 0;
            }
            n = n > Long.MAX_VALUE / s ? Long.MAX_VALUE : n * s;
        }
        return n;
    }

    private long nonNegative(Object o, String what) {
        if (o instanceof Long v && v >= 0) {
            return v;
        }
        throw corrupt("a tensor " + what + " that is not a non-negative int");
    }

    @Override
    public Object persistentLoad(Object pid) {
        if (!(pid instanceof Tuple t) || t.size() < 1) {
            throw corrupt("a persistent id that is a " + Unpickler.typeName(pid));
        }
        if ("module".equals(t.get(0))) {
            throw new CheckpointException(file + " holds a whole pickled model (Python classes and source code),"
                    + " not a state dict; loading it would mean running that code, so it is refused. Re-save the"
                    + " weights with torch.save({'generator': generator.state_dict(), 'kp_detector':"
                    + " kp_detector.state_dict()}, path)");
        }
        int expected = legacy ? 6 : 5;
        if (!"storage".equals(t.get(0)) || t.size() != expected || !(t.get(1) instanceof Global type)
                || !(t.get(2) instanceof String key) || key.length() > 1000 || !(t.get(3) instanceof String)
                || !(t.get(4) instanceof Long numel) || numel < 0) {
            throw corrupt("an unexpected persistent id");
        }
        if (!type.module().equals("torch") || !type.name().endsWith("Storage")) {
            throw corrupt("a storage of type " + type.qualified());
        }
        DType dtype = STORAGE_TYPES.get(type.name());
        Storage root = storages.get(key);
        if (root == null) {
            root = new Storage(key, type.qualified(), dtype, numel, 0, numel);
            storages.put(key, root);
        } else if (!root.typeName().equals(type.qualified()) || root.keyNumel() != numel) {
            throw corrupt("storage " + key + " described in two different ways");
        }
        if (!legacy || t.get(5) == null) {
            return root;
        }
        // Legacy (PyTorch < 1.0) storage views: (view_key, offset, view_size) into the root.
        if (!(t.get(5) instanceof Tuple view) || view.size() != 3 || !(view.get(0) instanceof String viewKey)
                || !(view.get(1) instanceof Long off) || !(view.get(2) instanceof Long len) || off < 0 || len < 0
                || off > numel || len > numel - off) {
            throw corrupt("a malformed storage view");
        }
        return new Storage(key, type.qualified(), dtype, numel, off, len);
    }

    @Override
    public void build(Object target, Object state) {
        // A state dict is an OrderedDict carrying a `_metadata` attribute; attributes are not items,
        // and dropping them runs nothing.
        if (target instanceof Map<?, ?>) {
            return;
        }
        throw Unpickler.refused(file, "sets the state of a " + Unpickler.typeName(target) + " (pickle BUILD)");
    }

    /**
     * The float32 values of a tensor, row-major. {@code keyData} holds its storage key's bytes in the
     * file's byte order.
     */
    static float[] materialize(Path file, TensorRecord t, ByteBuffer keyData) {
        Storage s = t.storage();
        if (s.dtype() == null) {
            throw new CheckpointException(file + " stores a tensor as " + s.typeName()
                    + ", which cannot be converted to float32; save the weights as float tensors");
        }
        int n = (int) t.numel();
        float[] out = new float[n];
        if (n == 0) {
            return out;
        }
        int rank = t.size().length;
        long base = s.base() + t.offset();
        long end = extentEnd(t);
        if (keyData == null || end > keyData.capacity() / s.dtype().size) {
            // TorchPickle checked the tensor against the storage as described; this checks it
            // against the bytes actually read, whatever a later part of the file said.
            throw new CheckpointException(file + " is corrupt: a tensor reaches element " + (end - 1) + " of storage "
                    + s.key() + ", which holds " + (keyData == null ? 0 : keyData.capacity() / s.dtype().size)
                    + "; copy or download the checkpoint again");
        }
        if (s.dtype() == DType.F32 && contiguous(t)) {
            keyData.slice((int) (base * 4), n * 4).order(keyData.order()).asFloatBuffer().get(out);
            return out;
        }
        int[] idx = new int[rank];
        long pos = base;
        int es = s.dtype().size;
        for (int i = 0; i < n; i++) {
            out[i] = decode(keyData, s.dtype(), (int) (pos * es));
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < t.size()[d]) {
                    pos += t.stride()[d];
                    break;
                }
                pos -= (long) (idx[d] - 1) * t.stride()[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    /**
     * One past the last element of its storage key's data that {@code t} reads (0 for an empty
     * tensor). Sizes and strides are bounded in {@link #tensor}, so this cannot overflow.
     */
    static long extentEnd(TensorRecord t) {
        long last = t.storage().base() + t.offset();
        for (int d = 0; d < t.size().length; d++) {
            if (t.size()[d] == 0) {
                return 0;
            }
            last += (long) (t.size()[d] - 1) * t.stride()[d];
        }
        return last + 1;
    }

    /** Row-major with no gaps (size-1 dimensions may carry any stride). */
    private static boolean contiguous(TensorRecord t) {
        long expected = 1;
        for (int d = t.size().length - 1; d >= 0; d--) {
            if (t.size()[d] != 1 && t.stride()[d] != expected) {
                return false;
            }
            expected *= t.size()[d];
        }
        return true;
    }

    private static float decode(ByteBuffer b, DType d, int at) {
        return switch (d) {
            case F32 -> b.getFloat(at);
            case F64 -> (float) b.getDouble(at);
            case F16 -> Float.intBitsToFloat(Safetensors.halfToFloatBits(b.getShort(at)));
            case BF16 -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            case I64 -> b.getLong(at);
            case I32 -> b.getInt(at);
            case I16 -> b.getShort(at);
            case I8 -> b.get(at);
            case U8 -> b.get(at) & 0xff;
            case BOOL -> b.get(at) != 0 ? 1f : 0f;
        };
    }
}
