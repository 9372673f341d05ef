package io.motionkernels.model;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed access to one block of a YAML configuration, with defaults, and a check that every key of
 * the block is known: a misspelt key would otherwise silently build another model.
 */
final class ConfigReader {
    private final String path;
    private final Map<String, Object> map;

    ConfigReader(String path, Object block, Set<String> allowed) {
        this.path = path;
        if (block == null) {
            this.map = Collections.emptyMap();
        } else if (block instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> cast = (Map<String, Object>) m;
            this.map = cast;
        } else {
            throw new ConfigException(path + " must be a mapping of keys to values, got: " + show(block));
        }
        Set<String> unknown = new TreeSet<>();
        for (Object k : map.keySet()) {
            if (!(k instanceof String) || !allowed.contains(k)) {
                unknown.add(show(k));
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown key" + (unknown.size() > 1 ? "s " : " ") + unknown + " in " + path
                    + "; the keys Monkey-Net knows there are " + new TreeSet<>(allowed));
        }
    }

    boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    Object raw(String key) {
        return map.get(key);
    }

    int positiveInt(String key, Integer def) {
        Object v = map.get(key);
        if (v == null) {
            if (def == null) {
                throw new ConfigException(path + "." + key + " is required (a positive integer)");
            }
            return def;
        }
        if (v instanceof Integer i && i > 0) {
            return i;
        }
        throw new ConfigException(path + "." + key + " must be a positive integer, got: " + show(v));
    }

    int nonNegativeInt(String key, int def) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Integer i && i >= 0) {
            return i;
        }
        throw new ConfigException(path + "." + key + " must be a non-negative integer, got: " + show(v));
    }

    double positiveNumber(String key, Double def) {
        Object v = map.get(key);
        if (v == null) {
            if (def == null) {
                throw new ConfigException(path + "." + key + " is required (a positive number)");
            }
            return def;
        }
        if (v instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new ConfigException(path + "." + key + " must be a positive number, got: " + show(v));
    }

    boolean bool(String key, boolean def) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ConfigException(path + "." + key + " must be true or false, got: " + show(v));
    }

    String choice(String key, String def, String... allowed) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        for (String a : allowed) {
            if (a.equals(v)) {
                return a;
            }
        }
        throw new ConfigException(path + "." + key + " must be one of " + String.join(", ", allowed) + ", got: "
                + show(v));
    }

    /**
     * An integer in [min, max]; {@code why} says where the bound comes from. {@code def} null
     * means required.
     */
    int intIn(String key, Integer def, int min, int max, String why) {
        int v = min > 0 ? positiveInt(key, def) : nonNegativeInt(key, def == null ? 0 : def);
        if (v < min || v > max) {
            throw new ConfigException(path + "." + key + " must be from " + min + " to " + max + " (" + why + "), got: "
                    + v);
        }
        return v;
    }

    /** A number in [min, max], like {@link #intIn}. */
    double numberIn(String key, Double def, double min, double max, String why) {
        double v = positiveNumber(key, def);
        if (v < min || v > max) {
            throw new ConfigException(path + "." + key + " must be from " + min + " to " + max + " (" + why + "), got: "
                    + v);
        }
        return v;
    }

    String path() {
        return path;
    }

    /**
     * A value for a message, at most about 80 characters: YAML aliases can make a small file hold
     * a value whose full text is hundreds of megabytes.
     */
    static String show(Object v) {
        StringBuilder b = new StringBuilder();
        append(b, v);
        return b.length() > 80 ? b.substring(0, 80) + "…" : b.toString();
    }

    private static void append(StringBuilder b, Object v) {
        if (b.length() > 80) {
            return;
        }
        if (v instanceof Map<?, ?> m) {
            b.append('{');
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (b.length() > 80) {
                    return;
                }
                append(b, e.getKey());
                b.append(": ");
                append(b, e.getValue());
                b.append(", ");
            }
            b.append('}');
        } else if (v instanceof Iterable<?> l) {
            b.append('[');
            for (Object o : l) {
                if (b.length() > 80) {
                    return;
                }
                append(b, o);
                b.append(", ");
            }
            b.append(']');
        } else {
            String s = String.valueOf(v);
            b.append(s, 0, Math.min(s.length(), 81));
        }
    }

    ConfigReader child(String key, Set<String> allowed) {
        return new ConfigReader(path + "." + key, map.get(key), allowed);
    }
}
