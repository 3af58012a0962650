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
 *     5   reserved: primary read  (offset, length the primary's app read)
 *     6   reserved: primary write (offset, length the primary's app wrote)
 *     7   reserved: sequence mapping (stream offset to the replica's own sequence numbers)
 * </pre>
 * Codes 5 to 7 are reserved for the primary-wrapper's records and are not implemented yet: a log holding them
 * is read as unsupported, never as another kind.
 */
public sealed interface LogRecord permits ConnectionOpened, StreamData, StreamAcked, ConnectionClosed {
    /** Understudy's identifier of the connection, unique within one log. */
    long connectionId();

    /** When the event was seen, in the writer's clock (nanoseconds). */
    long timestampNs();
}
