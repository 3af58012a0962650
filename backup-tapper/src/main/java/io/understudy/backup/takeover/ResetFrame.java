package io.understudy.backup.takeover;

import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TrackedConnection;
import java.nio.ByteBuffer;

/**
 * The RST a takeover sends, built by hand, to the client of a connection it could not restore: the client learns at
 * once that the connection is gone, instead of at its next segment (whose RST the crash guard on the VIP holder
 * drops, so an idle client would wait for its own timeout).
 *
 * <pre>
 * Ethernet (client MAC, our MAC, 0x0800) | IPv4 (VIP -> client, TTL 64, DF) |
 * TCP (service port -> client port, seq, ack 0, RST, window 0)
 * </pre>
 *
 * A client takes a RST only with the sequence number it expects next (RFC 5961); a takeover sends one for each
 * candidate it knows: the client's last acknowledgement, and the end of what the primary sent.
 */
final class ResetFrame {
    private static final int TCP_LENGTH = 20;

    private ResetFrame() {}

    public static byte[] frame(final byte[] ourMac, final TrackedConnection connection, final int sequence) {
        final ByteBuffer frame = DuplicateAck.headers(ourMac, connection, TCP_LENGTH);
        frame.putShort((short) connection.key.serverPort())
                .putShort((short) connection.key.clientPort())
                .putInt(sequence)
                .putInt(0)
                .put((byte) ((TCP_LENGTH / 4) << 4))
                .put((byte) TcpSegment.RST)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0);
        return DuplicateAck.withChecksums(frame.array(), connection, TCP_LENGTH);
    }

    /** The RSTs for one connection not restored: none when its client's MAC or sequence numbers are unknown. */
    public static java.util.List<byte[]> framesFor(final byte[] ourMac, final TrackedConnection connection) {
        if (ourMac == null || connection.clientMac == null) {
            return java.util.List.of();
        }
        final java.util.Set<Integer> sequences = new java.util.LinkedHashSet<>();
        if (connection.client.ackSent) {
            sequences.add(connection.client.lastAck);
        }
        if (connection.server.based) {
            sequences.add(connection.server.base + (int) connection.server.nextOffset);
        }
        return sequences.stream()
                .map(sequence -> frame(ourMac, connection, sequence))
                .toList();
    }
}
