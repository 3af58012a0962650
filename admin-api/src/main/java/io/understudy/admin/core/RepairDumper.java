package io.understudy.admin.core;

import io.understudy.backup.repair.RepairWindow;
import io.understudy.backup.repair.TcpRepair;
import io.understudy.primary.ClientSocketState;
import io.understudy.primary.PrimaryWrapper;
import io.understudy.primary.TcpInfo;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Reads a client socket in TCP_REPAIR mode (its queues' sequence numbers and bytes, options, windows, timestamp
 * clock) and closes it there, so that the client hears nothing: the old primary's half of a planned handover that
 * keeps its app as the replica.
 */
final class RepairDumper implements PrimaryWrapper.SocketDumper {
    @Override
    public ClientSocketState dumpAndClose(final SocketChannel client) throws IOException {
        try {
            final TcpInfo info = TcpRepair.info(client);
            TcpRepair.enterRepair(client);
            final long receiveSequence = TcpRepair.queueSeq(client, TcpRepair.Queue.RECV);
            final byte[] received = TcpRepair.queueBytes(client, TcpRepair.Queue.RECV);
            final long writeSequence = TcpRepair.queueSeq(client, TcpRepair.Queue.SEND);
            final byte[] unacked = TcpRepair.queueBytes(client, TcpRepair.Queue.SEND);
            final RepairWindow window = TcpRepair.window(client);
            return new ClientSocketState(
                    (int) receiveSequence,
                    received,
                    (int) writeSequence,
                    unacked,
                    info.sendMss(),
                    info.sendWindowScale(),
                    info.receiveWindowScale(),
                    info.hasSack(),
                    info.hasTimestamps(),
                    info.hasTimestamps() ? TcpRepair.timestamp(client) : 0,
                    window.sendWindow(),
                    window.receiveWindow());
        } finally {
            closeSilently(client);
        }
    }

    @Override
    public void closeSilently(final SocketChannel client) throws IOException {
        TcpRepair.closeSilently(client);
    }
}
