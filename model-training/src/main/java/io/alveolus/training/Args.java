package io.alveolus.training;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Minimal "--key value" / "--flag" parser. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();

    Args(String[] args, int from, Set<String> flagNames) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument: " + a);
            }
            String k = a.substring(2);
            int eq = k.indexOf('=');
            if (eq > 0) {
                values.put(k.substring(0, eq), k.substring(eq + 1));
            } else if (flagNames.contains(k)) {
                flags.add(k);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("Missing value for --" + k);
                }
                values.put(k, args[++i]);
            }
        }
    }

    String get(String k, String def) {
        return values.getOrDefault(k, def);
    }

    String require(String k) {
        String v = values.get(k);
        if (v == null) {
            throw new IllegalArgumentException("Missing --" + k);
        }
        return v;
    }

    int getInt(String k, int def) {
        return values.containsKey(k) ? Integer.parseInt(values.get(k)) : def;
    }

    long getLong(String k, long def) {
        return values.containsKey(k) ? Long.parseLong(values.get(k)) : def;
    }

    double getDouble(String k, double def) {
        return values.containsKey(k) ? Double.parseDouble(values.get(k)) : def;
    }

    int[] getInts(String k, int[] def) {
        if (!values.containsKey(k)) {
            return def;
        }
        String[] p = values.get(k).split(",");
        int[] r = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            r[i] = Integer.parseInt(p[i].trim());
        }
        return r;
    }

    boolean flag(String k) {
        return flags.contains(k);
    }
}
