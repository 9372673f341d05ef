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
            throw new ConfigException(path + " must be a mapping of keys to values, got: " + block);
        }
        Set<String> unknown = new TreeSet<>();
        for (Object k : map.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                unknown.add(String.valueOf(k));
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
        throw new ConfigException(path + "." + key + " must be a positive integer, got: " + v);
    }

    int nonNegativeInt(String key, int def) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Integer i && i >= 0) {
            return i;
        }
        throw new ConfigException(path + "." + key + " must be a non-negative integer, got: " + v);
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
        throw new ConfigException(path + "." + key + " must be a positive number, got: " + v);
    }

    boolean bool(String key, boolean def) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ConfigException(path + "." + key + " must be true or false, got: " + v);
    }

    String choice(String key, String def, String... allowed) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        for (String a : allowed) {
            if (a.equals(String.valueOf(v))) {
                return a;
            }
        }
        throw new ConfigException(path + "." + key + " must be one of " + String.join(", ", allowed) + ", got: " + v);
    }

    ConfigReader child(String key, Set<String> allowed) {
        return new ConfigReader(path + "." + key, map.get(key), allowed);
    }
}
