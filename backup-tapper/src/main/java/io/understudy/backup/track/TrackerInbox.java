package io.understudy.backup.track;

import java.util.ArrayDeque;

/**
 * What the tracker's consumers learn about its connections from elsewhere and hand to it, as events: the replica's
 * output where the tap missed the primary's, the options of a handshake the tap half missed (from the read log), and
 * connections whose read log may fill what the tap missed of the client's stream. The tracker, the one owner of connection state, takes them in
 * ({@link TcpTracker#drainInbox}) between its own events: no consumer writes its streams or calls back into it from
 * inside one of its callbacks. Capture thread only.
 */
public final class TrackerInbox {
    /** One event handed in. */
    public sealed interface Event permits ReplicaOutput, Options {}

    /** The hot replica's output from {@code serverOffset}: server bytes the primary also sent, as compared so far. */
    public record ReplicaOutput(TrackedConnection connection, long serverOffset, byte[] bytes) implements Event {}

    /** The options the primary's kernel negotiated on the connection at {@code key}, as its read log tells them. */
    public record Options(
            ConnectionKey key,
            int mss,
            int clientWindowScale,
            int serverWindowScale,
            boolean sackPermitted,
            boolean timestamps)
            implements Event {}

    private final ArrayDeque<Event> events = new ArrayDeque<>();
    /**
     * Connections whose read log has bytes the tap may lack: each at most once, however many records came (a backup
     * that took in a burst of thousands of records, each handing in every logged read from the tap's end, ran out of
     * heap before the tracker took them in).
     */
    private final java.util.LinkedHashSet<TrackedConnection> logRepairs = new java.util.LinkedHashSet<>();

    public void replicaOutput(final TrackedConnection connection, final long serverOffset, final byte[] bytes) {
        events.add(new ReplicaOutput(connection, serverOffset, bytes));
    }

    public void options(final Options options) {
        events.add(options);
    }

    /** The connection's read log ({@link TrackedConnection#logged}) may fill what the tap lacks of its client stream. */
    public void repairFromLog(final TrackedConnection connection) {
        logRepairs.add(connection);
    }

    /** The oldest event not taken yet, or null. */
    public Event poll() {
        return events.poll();
    }

    /** The oldest connection waiting for a repair from its read log, or null. */
    public TrackedConnection pollLogRepair() {
        final java.util.Iterator<TrackedConnection> it = logRepairs.iterator();
        if (!it.hasNext()) {
            return null;
        }
        final TrackedConnection connection = it.next();
        it.remove();
        return connection;
    }

    public boolean isEmpty() {
        return events.isEmpty() && logRepairs.isEmpty();
    }
}
