package io.motionkernels.checkpoint;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted pickle reader: it builds only plain data (None, bools, ints, floats, strings, bytes,
 * tuples, lists, dicts, sets) and asks a {@link Resolver} for every global, call and persistent id.
 * It never imports or runs anything, so a pickle naming {@code os.system} fails instead of running.
 *
 * <p>Python values map to: None → null, bool → Boolean, int → Long or BigInteger, float → Double,
 * str → String, bytes → byte[], tuple → {@link Tuple}, list → ArrayList, dict → LinkedHashMap,
 * set/frozenset → LinkedHashSet.
 */
final class Unpickler {
    /** A Python tuple. Identity equality: tuples are only dict keys in exotic files. */
    static final class Tuple {
        final List<Object> items;

        Tuple(List<Object> items) {
            // Not List.copyOf: None (null) is a legal tuple element.
            this.items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    /** A global the resolver allowed: a marker, never a loaded class or function. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** The policy: which globals exist, what calling them builds, what persistent ids mean. */
    interface Resolver {
        /** Returns the marker for an allowed global, or throws a refusal naming it. */
        Global global(String module, String name);

        /** REDUCE, NEWOBJ and NEWOBJ_EX on an allowed global. */
        Object call(Global callable, Tuple args);

        Object persistentLoad(Object pid);

        /** BUILD: sets state on an object; refuses where that could mean running code. */
        void build(Object target, Object state);
    }

    private final PickleInput in;
    private final Resolver resolver;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(PickleInput in, Resolver resolver) {
        this.in = in;
        this.resolver = resolver;
    }

    /** Reads one pickle (up to and including STOP) and returns its value. */
    static Object load(PickleInput in, Resolver resolver) {
        return new Unpickler(in, resolver).run();
    }

    private CheckpointException corrupt(String what) {
        return new CheckpointException(in.file + " is corrupt: " + what + " in " + in.phase + " (at byte "
                + in.position() + "); copy or download the checkpoint again");
    }

    static CheckpointException refused(java.nio.file.Path file, String what) {
        return new CheckpointException(file + " " + what + ", which a weights file never needs: the file may be"
                + " malicious and is refused. Load only checkpoints from sources you trust, saved with"
                + " torch.save(model.state_dict()) or as safetensors");
    }

    private Object run() {
        while (true) {
            long at = in.position();
            int op = in.read();
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = in.read();
                    if (proto > 5) {
                        throw corrupt("unknown pickle protocol " + proto);
                    }
                }
                case 0x95 -> readLength8(); // FRAME: the length only hints at buffering
                case '.' -> { // STOP
                    if (stack.size() != 1 || markCount != 0) {
                        throw corrupt("a pickle that stops with " + stack.size() + " values on its stack");
                    }
                    return stack.get(0);
                }
                case '(' -> pushMark();
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(peek());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) readIntLE(4));
                case 'K' -> push((long) in.read());
                case 'M' -> push((long) (in.read() | in.read() << 8));
                case 0x8a -> push(readLong(in.read()));
                case 0x8b -> push(readLong(readLength4()));
                case 'I' -> push(parseTextInt(readLine()));
                case 'L' -> push(parseTextLong(readLine()));
                case 'F' -> push(parseTextFloat(readLine()));
                case 'G' -> push(Double.longBitsToDouble(readLongBE()));
                case 'X' -> push(utf8(in.readBytes(readLength4())));
                case 0x8c -> push(utf8(in.readBytes(in.read())));
                case 0x8d -> push(utf8(in.readBytes(readLength8())));
                case 'V' -> push(rawUnicodeEscape(readLine()));
                // Python 2 str: PyTorch decodes it as UTF-8 when loading, and so do we.
                case 'T' -> push(utf8(in.readBytes(readLength4())));
                case 'U' -> push(utf8(in.readBytes(in.read())));
                case 'S' -> push(parseTextString(readLine()));
                case 'B' -> push(in.readBytes(readLength4()));
                case 'C' -> push(in.readBytes(in.read()));
                case 0x8e, 0x96 -> push(in.readBytes(readLength8()));
                case ')' -> push(new Tuple(List.of()));
                case 0x85 -> push(new Tuple(popN(1)));
                case 0x86 -> push(new Tuple(popN(2)));
                case 0x87 -> push(new Tuple(popN(3)));
                case 't' -> push(new Tuple(popToMark()));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popToMark()));
                case 'a' -> {
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> {
                    List<Object> items = popToMark();
                    list(peek()).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    List<Object> items = popToMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putAll(m, items);
                    push(m);
                }
                case 's' -> {
                    Object v = pop();
                    Object k = pop();
                    putAll(dict(peek()), Arrays.asList(k, v));
                }
                case 'u' -> {
                    List<Object> items = popToMark();
                    putAll(dict(peek()), items);
                }
                case 0x8f -> push(new LinkedHashSet<>());
                case 0x90 -> {
                    List<Object> items = popToMark();
                    Set<Object> s = set(peek());
                    for (Object o : items) {
                        s.add(hashable(o));
                    }
                }
                case 0x91 -> {
                    Set<Object> s = new LinkedHashSet<>();
                    for (Object o : popToMark()) {
                        s.add(hashable(o));
                    }
                    push(s);
                }
                case 'p' -> memo.put(parseIndex(readLine()), peek());
                case 'q' -> memo.put((long) in.read(), peek());
                case 'r' -> memo.put(readIntLE(4) & 0xffffffffL, peek());
                case 0x94 -> memo.put((long) memo.size(), peek());
                case 'g' -> push(memoGet(parseIndex(readLine())));
                case 'h' -> push(memoGet(in.read()));
                case 'j' -> push(memoGet(readIntLE(4) & 0xffffffffL));
                case 'c' -> push(resolver.global(readLine(), readLine()));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw corrupt("STACK_GLOBAL on non-strings");
                    }
                    push(resolver.global(m, n));
                }
                case 'R', 0x81 -> { // REDUCE, NEWOBJ: callable(*args) / cls.__new__(cls, *args)
                    Object args = pop();
                    Object callable = pop();
                    push(call(callable, args));
                }
                case 0x92 -> { // NEWOBJ_EX: keyword arguments are never needed for containers
                    Object kwargs = pop();
                    Object args = pop();
                    Object cls = pop();
                    if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                        throw corrupt("NEWOBJ_EX with keyword arguments");
                    }
                    push(call(cls, args));
                }
                case 'b' -> {
                    Object state = pop();
                    resolver.build(peek(), state);
                }
                case 'Q' -> push(resolver.persistentLoad(pop()));
                case 'P' -> push(resolver.persistentLoad(readLine()));
                case 'i', 'o' -> throw refused(in.file, "uses pickle opcode " + (op == 'i' ? "INST" : "OBJ")
                        + " at byte " + at + " to create an arbitrary object");
                case 0x82, 0x83, 0x84 -> throw refused(in.file, "uses pickle opcode EXT" + (op == 0x82 ? 1
                        : op == 0x83 ? 2 : 4) + " at byte " + at + " to import a registered extension");
                case 0x97, 0x98 -> throw corrupt("out-of-band pickle buffers (opcode 0x" + Integer.toHexString(op)
                        + "), which torch.save never writes");
                default -> throw corrupt("unknown pickle opcode 0x" + Integer.toHexString(op) + " at byte " + at);
            }
        }
    }

    private Object call(Object callable, Object args) {
        if (!(callable instanceof Global g)) {
            throw corrupt("a call of a " + typeName(callable) + " (only allowed globals can be called)");
        }
        if (!(args instanceof Tuple t)) {
            throw corrupt("a call of " + g.qualified() + " whose arguments are a " + typeName(args));
        }
        return resolver.call(g, t);
    }

    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Tuple) {
            return "tuple";
        }
        if (o instanceof List<?>) {
            return "list";
        }
        if (o instanceof Map<?, ?>) {
            return "dict";
        }
        if (o instanceof Set<?>) {
            return "set";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof Global g) {
            return "global " + g.qualified();
        }
        return o.getClass().getSimpleName();
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (stack.size() <= floor) {
            throw corrupt("a pickle that pops an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (stack.size() <= floor) {
            throw corrupt("a pickle that reads an empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return Arrays.asList(items);
    }

    private void pushMark() {
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markCount++] = stack.size();
    }

    private int popMark() {
        if (markCount == 0) {
            throw corrupt("a pickle that pops a mark it never set");
        }
        int m = marks[--markCount];
        stack.subList(m, stack.size()).clear();
        return m;
    }

    private List<Object> popToMark() {
        if (markCount == 0) {
            throw corrupt("a pickle that pops a mark it never set");
        }
        int m = marks[markCount - 1];
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        popMark();
        return items;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw corrupt("a reference to memo entry " + index + ", which was never stored");
        }
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw corrupt("APPEND to a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw corrupt("SETITEM on a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object o) {
        if (o instanceof Set<?> s) {
            return (Set<Object>) s;
        }
        throw corrupt("ADDITEMS on a " + typeName(o));
    }

    private void putAll(Map<Object, Object> m, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw corrupt("a dict with an odd number of keys and values");
        }
        for (int i = 0; i < items.size(); i += 2) {
            m.put(hashable(items.get(i)), items.get(i + 1));
        }
    }

    /** Python refuses unhashable keys; refusing them here also keeps hashing non-recursive. */
    private Object hashable(Object k) {
        if (k instanceof List<?> || k instanceof Map<?, ?> || k instanceof Set<?>) {
            throw corrupt("a " + typeName(k) + " used as a dict key or set element");
        }
        return k;
    }

    private long readIntLE(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) in.read() << (8 * i);
        }
        return n == 4 ? (int) v : v;
    }

    private long readLongBE() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | in.read();
        }
        return v;
    }

    private long readLength4() {
        return readIntLE(4) & 0xffffffffL;
    }

    private long readLength8() {
        long n = readIntLE(8);
        if (n < 0) {
            throw corrupt("a negative length");
        }
        return n;
    }

    /** LONG1/LONG4: little-endian two's complement. */
    private Object readLong(long n) {
        if (n > 4096) {
            throw corrupt("an integer of " + n + " bytes");
        }
        byte[] le = in.readBytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return normalize(new BigInteger(be));
    }

    private static Object normalize(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    /** Text lines (protocol 0, GLOBAL): bounded so a missing newline cannot run on. */
    private String readLine() {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c == '\n') {
                return b.toString();
            }
            if (b.length() >= 1 << 16) {
                throw corrupt("a text line over 64 KiB");
            }
            b.append((char) c);
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private long parseIndex(String s) {
        try {
            long v = Long.parseLong(s.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw corrupt("a bad memo index");
    }

    private Object parseTextInt(String s) {
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        return parseTextLong(s);
    }

    private Object parseTextLong(String s) {
        String t = s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
        if (t.length() > 4096) {
            throw corrupt("an integer of " + t.length() + " digits");
        }
        try {
            return normalize(new BigInteger(t.trim()));
        } catch (NumberFormatException e) {
            throw corrupt("a bad integer literal");
        }
    }

    private Object parseTextFloat(String s) {
        String t = s.trim();
        switch (t) {
            case "nan", "-nan" -> {
                return Double.NaN;
            }
            case "inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
                try {
                    return Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    throw corrupt("a bad float literal");
                }
            }
        }
    }

    /** Protocol-0 STRING: a quoted Python 2 repr with backslash escapes. */
    private String parseTextString(String s) {
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1) || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw corrupt("a bad string literal");
        }
        String body = s.substring(1, s.length() - 1);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (++i >= body.length()) {
                throw corrupt("a bad string escape");
            }
            char e = body.charAt(i);
            switch (e) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'r' -> out.write('\r');
                case '\\', '\'', '"' -> out.write(e);
                case 'x' -> {
                    out.write(hex(body, i + 1, 2));
                    i += 2;
                }
                default -> throw corrupt("an unsupported string escape");
            }
        }
        return utf8(out.toByteArray());
    }

    private String rawUnicodeEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')) {
                int n = s.charAt(i + 1) == 'u' ? 4 : 8;
                b.appendCodePoint(hex(s, i + 2, n));
                i += 1 + n;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private int hex(String s, int from, int n) {
        if (from + n > s.length()) {
            throw corrupt("a bad escape");
        }
        try {
            int v = Integer.parseUnsignedInt(s.substring(from, from + n), 16);
            if (v < 0 || v > Character.MAX_CODE_POINT) {
                throw corrupt("a bad escape");
            }
            return v;
        } catch (NumberFormatException e) {
            throw corrupt("a bad escape");
        }
    }
}
