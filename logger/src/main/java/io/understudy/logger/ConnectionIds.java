package io.understudy.logger;

/**
 * Where a log's connection ids start: the clock in milliseconds, shifted left by 10. Ids then stay unique across
 * restarts of whoever numbers the connections (the primary's read log, the backup's tap), unless it opened more
 * than 1,024 connections a millisecond on average, and they stay below 2^53 until the year 2248: JSON readers that
 * hold numbers as doubles (JavaScript, jq) read them exactly. The clock shifted by 16 (the ids before) gave values
 * near 2^57 that those readers rounded, so that several connections in {@code GET /connections} read the same.
 */
public final class ConnectionIds {
    /** How many ids a millisecond of the clock leaves room for, as a shift. */
    static final int SHIFT = 10;

    private ConnectionIds() {}

    /** The first id (less one) of a numbering that starts now. */
    public static long startingNow() {
        return System.currentTimeMillis() << SHIFT;
    }
}
