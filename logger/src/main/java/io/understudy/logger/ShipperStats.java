package io.understudy.logger;

/**
 * What a {@link LogShipper} has done since it started, for the admin API and tests.
 *
 * @param connected       true while a connection to the logger is up (past HELLO/WELCOME).
 * @param shipped         records accepted by {@link LogShipper#ship(ShippedRecord)}.
 * @param acked           records the logger acknowledged (or, after a reconnect, reported as already held).
 * @param dropped         records refused by ship(): the buffer was full or the seq out of order; the log has a gap.
 * @param bufferedBytes   encoded bytes of the records not yet acknowledged.
 * @param bufferedRecords records not yet acknowledged.
 * @param ackedSeq        the highest seq acknowledged, 0 before any.
 * @param lastAckNanoTime System.nanoTime() of the last ACK, 0 before any.
 * @param lastError       the last failure (connect, ERROR from the logger, lost connection, drop), or null.
 * @param writes          writes to the logger that carried records (each one flush; shipped / writes is the batching).
 */
public record ShipperStats(
        boolean connected,
        long shipped,
        long acked,
        long dropped,
        long bufferedBytes,
        int bufferedRecords,
        long ackedSeq,
        long lastAckNanoTime,
        String lastError,
        long writes) {}
