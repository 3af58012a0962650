package io.understudy.logger;

/**
 * One connection event in the {@link EventLog}: what the backup needs to rebuild a connection at takeover.
 * Every record names its connection and the time it was seen; {@link EventLog#replay(long)} returns one
 * connection's records in log order.
 *
 * <p>Each kind has a one-byte type code in the log (the codec, LogRecordCodec, draws the layouts):
 * <pre>
 *   code  record
 *   ----  ------------------------------------------------------------------
 *     1   {@link ConnectionOpened}
 *     2   {@link StreamData}
 *     3   {@link StreamAcked}
 *     4   {@link ConnectionClosed}
 *     5   {@link PrimaryRead}      shipped by the primary
 *     6   {@link PrimaryWrite}     shipped by the primary
 *     7   {@link SequenceMapping}  written by the backup
 *     8   {@link PrimaryOpened}    shipped by the primary
 *     9   {@link PrimaryEnded}     shipped by the primary
 * </pre>
 * The primary's records are {@link ShippedRecord}s: they carry the writer's sequence number. Codes are never
 * reused; a log holding an unknown code is read as corrupt, never as another kind.
 */
public sealed interface LogRecord
        permits ConnectionOpened, StreamData, StreamAcked, ConnectionClosed, ShippedRecord, SequenceMapping {
    /** Understudy's identifier of the connection, unique within one log. */
    long connectionId();

    /** When the event was seen, in the writer's clock (nanoseconds). */
    long timestampNs();
}
