package io.understudy.ops.demo;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo service's key-value map, shared by every connection; each update is one atomic compute so concurrent
 * connections never lose an update. Keys and values are ISO-8859-1 strings, so one char is one byte on the wire.
 */
final class KeyValueStore {
    private final ConcurrentHashMap<String, String> values = new ConcurrentHashMap<>();

    /**
     * Adds one to the integer stored at key (a missing key counts as 0).
     *
     * @return the new value
     * @throws NumberFormatException when the stored value is not an integer (the value is left unchanged)
     * @throws ArithmeticException when the increment would overflow (the value is left unchanged)
     */
    long incr(final String key) {
        // compute rethrows an exception of the function and keeps the old mapping, which is the behaviour we want.
        final String next = values.compute(
                key, (k, old) -> Long.toString(Math.addExact(old == null ? 0L : Long.parseLong(old), 1L)));
        return Long.parseLong(next);
    }

    /** @return the value at key, or null when there is none */
    String get(final String key) {
        return values.get(key);
    }

    void set(final String key, final String value) {
        values.put(key, value);
    }

    /** @return every key, sorted */
    java.util.List<String> keys() {
        return values.keySet().stream().sorted().toList();
    }

    /** @return true when the key was there */
    boolean delete(final String key) {
        return values.remove(key) != null;
    }

    /** @return the length in bytes of the value after appending */
    int append(final String key, final String suffix) {
        return values.compute(key, (k, old) -> old == null ? suffix : old + suffix)
                .length();
    }
}
