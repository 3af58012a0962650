package io.understudy.logger;

/** Argument checks for the records: each failure names the field and the accepted range. */
final class Checks {
    static final long UNKNOWN = -1;
    static final long MAX_UNSIGNED_32 = 0xFFFF_FFFFL;
    static final int MAX_PORT = 0xFFFF;

    private Checks() {}

    static long inRange(final String name, final long value, final long min, final long max) {
        if (value < min || value > max) {
            throw new UnderstudyException(name + "=" + value + ", expected " + min + ".." + max);
        }
        return value;
    }

    static long unknownOrInRange(final String name, final long value, final long min, final long max) {
        if (value != UNKNOWN && (value < min || value > max)) {
            throw new UnderstudyException(name + "=" + value + ", expected -1 (unknown) or " + min + ".." + max);
        }
        return value;
    }

    static <T> T notNull(final String name, final T value) {
        if (value == null) {
            throw new UnderstudyException(name + "=null, expected a value");
        }
        return value;
    }
}
