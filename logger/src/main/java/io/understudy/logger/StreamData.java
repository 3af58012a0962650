package io.understudy.logger;

/**
 * Bytes of one direction's stream at a known offset (offset 0 is the first byte after the SYN); the bytes are
 * {@link StreamBytes}, copied in and out.
 *
 * @param connectionId Understudy's identifier of the connection.
 * @param timestampNs  when the bytes were seen.
 * @param direction    which stream the bytes belong to.
 * @param data         the bytes at their offset in that stream.
 */
public record StreamData(long connectionId, long timestampNs, Direction direction, StreamBytes data)
        implements LogRecord, StreamBytes.Carrier {

    /** The most bytes one record carries (1 MiB): writers split larger reads. */
    public static final int MAX_LENGTH = StreamBytes.MAX_LENGTH;

    /** Checks the fields. */
    public StreamData {
        Checks.notNull("direction", direction);
        Checks.notNull("data", data);
    }

    /** A copy of {@code bytes} at {@code streamOffset} in the stream (see {@link StreamBytes#copyOf}). */
    public StreamData(
            final long connectionId,
            final long timestampNs,
            final Direction direction,
            final long streamOffset,
            final byte[] bytes) {
        this(connectionId, timestampNs, direction, StreamBytes.copyOf(streamOffset, bytes));
    }
}
