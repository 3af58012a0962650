package io.understudy.backup.takeover;

import java.nio.channels.SocketChannel;

/**
 * One client connection rebuilt on the backup by a takeover: the restored socket (the client's connection, same
 * sequence numbers, now owned by this host) and the replica's connection to the local app, to be relayed to each
 * other; plus replica output the primary never sent, to go to the client first.
 *
 * @param description     the 4-tuple and connection id, for logs and reports.
 * @param client          the restored socket, non-blocking, out of repair mode.
 * @param app             the replica's connection to this host's app, non-blocking.
 * @param pendingToClient replica output beyond what the primary had sent.
 * @param clientFinished  the client's FIN was acknowledged by the primary and is in the restored socket's sequence
 *                        space: the client sends nothing more, and the replica was given the end of its input.
 * @param clientAddress   the client's address and port.
 * @param clientOffset    client stream offset of the next byte the client sends (the restored socket's rcv_nxt).
 * @param serverOffset    server stream offset of the first byte of {@code pendingToClient}.
 * @param takenFrom       client stream offset from which the replica was given bytes the primary never acked.
 * @param taken           those bytes, up to {@code clientOffset} (empty when there were none): the old primary's
 *                        app needs them too, to go on as a replica after a planned handover.
 */
public record RestoredConnection(
        String description,
        SocketChannel client,
        SocketChannel app,
        byte[] pendingToClient,
        boolean clientFinished,
        java.net.InetSocketAddress clientAddress,
        long clientOffset,
        long serverOffset,
        long takenFrom,
        byte[] taken) {}
