package io.understudy.backup.track;

/**
 * Receives what the tracker learns, in the order it learns it. Called on the capture thread: must not block.
 */
public interface TapListener {
    TapListener NONE = new TapListener() {};

    /** A connection was seen for the first time (its handshake, or mid-stream traffic). */
    default void onOpened(final TrackedConnection connection, final long nowNs) {}

    /** Bytes of one stream became contiguous at {@code streamOffset}. The array is only valid during the call. */
    default void onData(
            final TrackedConnection connection,
            final boolean fromClient,
            final long streamOffset,
            final byte[] bytes,
            final int offset,
            final int length,
            final long nowNs) {}

    /** The peer acknowledged one stream further: every byte before {@code ackedOffset} reached it. */
    default void onAcked(
            final TrackedConnection connection,
            final boolean clientStream,
            final long ackedOffset,
            final int rawAck,
            final long window,
            final long nowNs) {}

    /** The connection ended: both FINs in sequence, or a RST. */
    default void onClosed(final TrackedConnection connection, final long nowNs) {}
}
