package io.understudy.logger;

/**
 * The primary's app wrote {@code length} bytes at a server stream offset (offset 0 is the server's first byte).
 * The bytes themselves are not logged: the backup's replica regenerates them.
 *
 * @param connectionId the primary's identifier of the connection.
 * @param timestampNs  when the write was seen.
 * @param seq          the writer's sequence number, greater than 0.
 * @param streamOffset server stream offset of the first byte written, 0 or more; the end offset must fit in a long.
 * @param length       how many bytes, 0 or more.
 */
public record PrimaryWrite(long connectionId, long timestampNs, long seq, long streamOffset, int length)
        implements ShippedRecord {

    /** Checks every field's range. */
    public PrimaryWrite {
        Checks.inRange("seq", seq, 1, Long.MAX_VALUE);
        Checks.inRange("length", length, 0, Integer.MAX_VALUE);
        Checks.inRange("streamOffset", streamOffset, 0, Long.MAX_VALUE - length);
    }

    /** The server stream offset just past the last byte written. */
    public long endOffset() {
        return streamOffset + length;
    }
}
