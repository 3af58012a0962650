package io.understudy.backup.track;

import java.util.ArrayDeque;

/**
 * What the tracker's consumers learn about its connections from elsewhere and hand to it, as events: bytes of a
 * stream the tap missed (from the primary's read log, or the replica's output), and the options of a handshake the
 * tap half missed (from the read log). The tracker, the one owner of connection state, takes them in
 * ({@link TcpTracker#drainInbox}) between its own events: no consumer writes its streams or calls back into it from
 * inside one of its callbacks. Capture thread only.
 */
public final class TrackerInbox {
    /** Where bytes handed in come from; the tracker counts each source's. */
    public enum Source {
        /** The primary's read log: client bytes the primary read. */
        READ_LOG,
        /** The hot replica's output: server bytes the primary also sent, as compared so far. */
        REPLICA
    }

    /** Bytes of one stream from {@code offset}, learned elsewhere. */
    public record Fill(TrackedConnection connection, boolean fromClient, long offset, byte[] bytes, Source source) {}

    /** The options the primary's kernel negotiated on the connection at {@code key}, as its read log tells them. */
    public record Options(
            ConnectionKey key,
            int mss,
            int clientWindowScale,
            int serverWindowScale,
            boolean sackPermitted,
            boolean timestamps) {}

    private final ArrayDeque<Object> events = new ArrayDeque<>();

    public void fill(
            final TrackedConnection connection,
            final boolean fromClient,
            final long offset,
            final byte[] bytes,
            final Source source) {
        events.add(new Fill(connection, fromClient, offset, bytes, source));
    }

    public void options(final Options options) {
        events.add(options);
    }

    /** The oldest event not taken yet, or null. */
    public Object poll() {
        return events.poll();
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }
}
