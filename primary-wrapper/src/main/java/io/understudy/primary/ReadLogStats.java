package io.understudy.primary;

/**
 * The primary's read log as the admin API shows it.
 *
 * @param enabled        false when the node runs without a read log.
 * @param commit         "sync" or "async".
 * @param connected      the logger is connected now.
 * @param shipped        records queued for the logger since start.
 * @param acked          records the logger acked since start.
 * @param dropped        records dropped because the logger was away and the buffer was full (a gap in the log).
 * @param lagRecords     records shipped and not yet acked.
 * @param lagMs          how long ago the oldest record the logger has not acked was shipped (0: all acked).
 * @param maxLagMs       async commit: the lag beyond which app output waits for the logger (0: no bound).
 * @param heldForLag     app writes held because the logger lagged more than maxLagMs (async commit).
 * @param bufferedBytes  bytes of records kept for the logger.
 * @param commitTimeouts times sync commit released output without the logger's ack.
 * @param lastError      the logger's last error (disk full, connection refused...), null if none.
 * @param degraded       why protection is degraded now, null when it is not.
 */
public record ReadLogStats(
        boolean enabled,
        String commit,
        boolean connected,
        long shipped,
        long acked,
        long dropped,
        long lagRecords,
        long lagMs,
        long maxLagMs,
        long heldForLag,
        long bufferedBytes,
        long commitTimeouts,
        String lastError,
        String degraded) {
    static final ReadLogStats DISABLED =
            new ReadLogStats(false, "off", false, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, "no read log configured");
}
