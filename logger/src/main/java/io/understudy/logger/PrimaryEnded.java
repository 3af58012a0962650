package io.understudy.logger;

/**
 * One side of a primary's connection ended, or both did; see {@link EndKind} for what the offset means.
 *
 * @param connectionId the primary's identifier of the connection.
 * @param timestampNs  when the end was seen.
 * @param seq          the writer's sequence number, greater than 0.
 * @param kind         which side ended and how.
 * @param streamOffset the offset the kind speaks of, 0 or more, or -1 when not meaningful.
 */
public record PrimaryEnded(long connectionId, long timestampNs, long seq, EndKind kind, long streamOffset)
        implements ShippedRecord {

    /** Checks every field's range. */
    public PrimaryEnded {
        Checks.inRange("seq", seq, 1, Long.MAX_VALUE);
        Checks.notNull("kind", kind);
        Checks.unknownOrInRange("streamOffset", streamOffset, 0, Long.MAX_VALUE);
    }
}
