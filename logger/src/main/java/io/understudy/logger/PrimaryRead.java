package io.understudy.logger;

/**
 * Bytes the primary's relay read from the client and handed to the app, at a client stream offset (offset 0 is the
 * client's first byte); the bytes are {@link StreamBytes}, copied in and out.
 *
 * @param connectionId the primary's identifier of the connection.
 * @param timestampNs  when the bytes were read.
 * @param seq          the writer's sequence number, greater than 0.
 * @param data         the bytes at their client stream offset.
 */
public record PrimaryRead(long connectionId, long timestampNs, long seq, StreamBytes data)
        implements ShippedRecord, StreamBytes.Carrier {

    /** Checks the fields. */
    public PrimaryRead {
        Checks.inRange("seq", seq, 1, Long.MAX_VALUE);
        Checks.notNull("data", data);
    }

    /** A copy of {@code bytes} at client stream offset {@code streamOffset} (see {@link StreamBytes#copyOf}). */
    public PrimaryRead(
            final long connectionId,
            final long timestampNs,
            final long seq,
            final long streamOffset,
            final byte[] bytes) {
        this(connectionId, timestampNs, seq, StreamBytes.copyOf(streamOffset, bytes));
    }
}
