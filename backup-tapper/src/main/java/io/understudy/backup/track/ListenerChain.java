package io.understudy.backup.track;

/**
 * Two tap listeners called in order: the event log first, so the log has an event before the replica acts on it.
 */
public record ListenerChain(TapListener first, TapListener second) implements TapListener {
    @Override
    public void onOpened(final TrackedConnection connection, final long nowNs) {
        first.onOpened(connection, nowNs);
        second.onOpened(connection, nowNs);
    }

    @Override
    public void onData(
            final TrackedConnection connection,
            final boolean fromClient,
            final long streamOffset,
            final byte[] bytes,
            final int offset,
            final int length,
            final long nowNs) {
        first.onData(connection, fromClient, streamOffset, bytes, offset, length, nowNs);
        second.onData(connection, fromClient, streamOffset, bytes, offset, length, nowNs);
    }

    @Override
    public void onAcked(
            final TrackedConnection connection,
            final boolean clientStream,
            final long ackedOffset,
            final int rawAck,
            final long window,
            final long nowNs) {
        first.onAcked(connection, clientStream, ackedOffset, rawAck, window, nowNs);
        second.onAcked(connection, clientStream, ackedOffset, rawAck, window, nowNs);
    }

    @Override
    public void onClosed(final TrackedConnection connection, final long nowNs) {
        first.onClosed(connection, nowNs);
        second.onClosed(connection, nowNs);
    }
}
