package io.understudy.backup;

import io.understudy.backup.replica.Replica;
import io.understudy.backup.track.TrackedConnection;

/**
 * One connection as the backup's tap knows it, for the admin API: a snapshot taken on the capture thread.
 *
 * @param id                 the tap's id of the connection (in the event log).
 * @param client             client address:port.
 * @param server             service address:port.
 * @param state              ESTABLISHED, CLOSED or RESET.
 * @param protectedNow       whether a takeover now would restore it.
 * @param unprotectedReason  why not, null when protected.
 * @param clientBytes        client bytes the tap has, contiguous from the first.
 * @param serverBytes        server bytes the tap has, contiguous from the first.
 * @param clientBytesAcked   client bytes the primary acknowledged.
 * @param serverBytesAcked   server bytes the client acknowledged.
 * @param replicaFed         client bytes given to the replica (hot mode; 0 in replay mode before takeover).
 * @param replicaCompared    server bytes of the replica's output found equal to the primary's.
 * @param replicaLagBytes    client bytes the primary had and the replica not yet.
 * @param loggedAs           the primary's id of the connection in the read log, -1 when not matched.
 * @param handshakeFromLog   the tap missed part of the handshake and the read log supplied the options.
 * @param protection         "exact" (protected, the replica's output equal to the primary's so far), "tolerated"
 *                           (protected, with same-length differences the divergence policy allows) or "none".
 * @param toleratedDifferences the same-length differences tolerated on this connection so far.
 * @param replicaPort        the port of the replica's socket to the app here (the app sees it as its peer), 0 when
 *     it has none.
 */
public record TapConnection(
        long id,
        String client,
        String server,
        String state,
        boolean protectedNow,
        String unprotectedReason,
        long clientBytes,
        long serverBytes,
        long clientBytesAcked,
        long serverBytesAcked,
        long replicaFed,
        long replicaCompared,
        long replicaLagBytes,
        long loggedAs,
        boolean handshakeFromLog,
        String protection,
        long toleratedDifferences,
        int replicaPort) {
    public static TapConnection of(final TrackedConnection connection, final Replica replica) {
        final long atPrimary = connection.clientBytesAtPrimary();
        final long fed = replica == null ? 0 : replica.fedOffset;
        return new TapConnection(
                connection.id,
                connection.key.client(),
                connection.key.server(),
                connection.state.name(),
                connection.isProtected() && connection.announced,
                connection.announced ? connection.unprotectedReason : "the tap has not seen its handshake complete",
                connection.client.nextOffset,
                connection.server.nextOffset,
                Math.min(connection.client.ackedByPeer, connection.client.nextOffset),
                Math.min(connection.server.ackedByPeer, connection.server.nextOffset),
                fed,
                replica == null ? 0 : replica.comparedOffset,
                replica == null ? 0 : Math.max(0, atPrimary - fed),
                connection.logged == null ? -1 : connection.logged.primaryId,
                connection.optionsFromLog,
                protection(connection, replica),
                replica == null ? 0 : replica.toleratedDifferences(),
                replica == null ? 0 : replica.appSidePort);
    }

    private static String protection(final TrackedConnection connection, final Replica replica) {
        if (!connection.isProtected() || !connection.announced) {
            return "none";
        }
        return replica != null && replica.toleratedDifferences() > 0 ? "tolerated" : "exact";
    }

    /**
     * Of the open connections (closed ones linger in the tap's table a while, and a takeover restores none of them):
     * how many a takeover now would restore, and how many it would not.
     */
    public static int[] protectionCounts(final java.util.List<TapConnection> connections) {
        int protectedCount = 0;
        int unprotectedCount = 0;
        for (final TapConnection connection : connections) {
            if ("ESTABLISHED".equals(connection.state())) {
                if (connection.protectedNow()) {
                    protectedCount++;
                } else {
                    unprotectedCount++;
                }
            }
        }
        return new int[] {protectedCount, unprotectedCount};
    }
}
