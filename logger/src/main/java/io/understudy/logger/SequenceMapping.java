package io.understudy.logger;

/**
 * Written by the backup, not shipped: the primary's connection {@code connectionId} is the tap's connection
 * {@code tapConnectionId}, whose client stream offset o is sequence number {@code clientIsn + 1 + o} modulo 2^32
 * (server offsets likewise from {@code serverIsn}).
 *
 * @param connectionId    the primary's identifier of the connection.
 * @param timestampNs     when the mapping was made.
 * @param tapConnectionId the tap's identifier of the same connection.
 * @param clientIsn       client initial sequence number, unsigned 32-bit (0..2^32-1).
 * @param serverIsn       server initial sequence number, unsigned 32-bit (0..2^32-1).
 */
public record SequenceMapping(long connectionId, long timestampNs, long tapConnectionId, long clientIsn, long serverIsn)
        implements LogRecord {

    /** Checks every field's range. */
    public SequenceMapping {
        Checks.inRange("clientIsn", clientIsn, 0, Checks.MAX_UNSIGNED_32);
        Checks.inRange("serverIsn", serverIsn, 0, Checks.MAX_UNSIGNED_32);
    }
}
