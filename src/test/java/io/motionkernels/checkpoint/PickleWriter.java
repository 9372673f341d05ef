package io.motionkernels.checkpoint;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, to build test checkpoints (well-formed, hostile and broken ones). */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleWriter proto(int p) {
        return raw(0x80, p);
    }

    PickleWriter stop() {
        return raw('.');
    }

    PickleWriter mark() {
        return raw('(');
    }

    PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        raw('X');
        le(b.length, 4);
        return raw(b);
    }

    PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            return raw('K', (int) v);
        }
        if (v >= 0 && v < 65536) {
            return raw('M', (int) (v & 0xff), (int) (v >>> 8));
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            raw('J');
            return le(v, 4);
        }
        return bigInt(BigInteger.valueOf(v));
    }

    PickleWriter bigInt(BigInteger v) {
        byte[] be = v.toByteArray();
        raw(0x8a, be.length);
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
        return this;
    }

    PickleWriter bool(boolean b) {
        return raw(b ? 0x88 : 0x89);
    }

    PickleWriter none() {
        return raw('N');
    }

    PickleWriter global(String module, String name) {
        raw('c');
        raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleWriter tuple() {
        return raw('t');
    }

    PickleWriter emptyTuple() {
        return raw(')');
    }

    PickleWriter emptyDict() {
        return raw('}');
    }

    PickleWriter setItems() {
        return raw('u');
    }

    PickleWriter reduce() {
        return raw('R');
    }

    PickleWriter intTuple(int... v) {
        mark();
        for (int x : v) {
            integer(x);
        }
        return tuple();
    }

    /** A tensor as torch.save writes it: _rebuild_tensor_v2 of a persistent-id storage. */
    PickleWriter tensor(String storageType, String key, long storageNumel, boolean legacy, long offset,
                        int[] size, int[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        storage(storageType, key, storageNumel, legacy, null);
        integer(offset).intTuple(size).intTuple(stride).bool(false);
        global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    /** A persistent-id storage; {@code view} = {key, offset, size} for a legacy view, or null. */
    PickleWriter storage(String storageType, String key, long numel, boolean legacy, Object[] view) {
        mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel);
        if (legacy) {
            if (view == null) {
                none();
            } else {
                mark().str((String) view[0]).integer((Long) view[1]).integer((Long) view[2]).tuple();
            }
        }
        return tuple().raw('Q');
    }

    PickleWriter le(long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** The three header pickles of a legacy torch.save file. */
    static byte[] legacyHeader(boolean littleEndian) {
        return new PickleWriter()
                .proto(2).bigInt(TorchFiles.Legacy.MAGIC).stop()
                .proto(2).integer(1001).stop()
                .proto(2).emptyDict().mark().str("protocol_version").integer(1001).str("little_endian")
                .bool(littleEndian).setItems().stop()
                .bytes();
    }

    /** The list-of-keys pickle and then each storage as an element count and raw bytes. */
    static byte[] legacyStorages(ByteOrder order, String[] keys, byte[][] data, int[] elementSizes) {
        PickleWriter w = new PickleWriter().proto(2).raw(']').mark();
        for (String k : keys) {
            w.str(k);
        }
        w.raw('e').stop();
        for (int i = 0; i < keys.length; i++) {
            w.raw(ByteBuffer.allocate(8).order(order).putLong(data[i].length / elementSizes[i]).array());
            w.raw(data[i]);
        }
        return w.bytes();
    }
}
