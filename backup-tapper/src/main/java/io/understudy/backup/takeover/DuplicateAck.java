package io.understudy.backup.takeover;

import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.repair.RestoreSpec;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TrackedConnection;
import java.nio.ByteBuffer;

/**
 * The pure ACK a restored socket would send, built by hand so the backup can repeat it right after a takeover:
 * three duplicate ACKs make a client without SACK retransmit at once instead of waiting out its backoff.
 *
 * <pre>
 * Ethernet (client MAC, our MAC, 0x0800) | IPv4 (VIP -> client, TTL 64, DF) |
 * TCP (service port -> client port, seq = snd_nxt, ack = rcv_nxt, ACK, window) [NOP NOP TS val ecr]
 * </pre>
 */
final class DuplicateAck {
    private DuplicateAck() {}

    public static byte[] frame(
            final byte[] ourMac, final TrackedConnection connection, final RestoreSpec spec, final int windowField) {
        final boolean timestamps = spec.timestamps();
        final int tcpLength = timestamps ? 32 : 20;
        final ByteBuffer frame = headers(ourMac, connection, tcpLength);
        final long sendNext = spec.sendSeq() + spec.unackedBytes().length & 0xFFFFFFFFL;
        frame.putShort((short) connection.key.serverPort())
                .putShort((short) connection.key.clientPort())
                .putInt((int) sendNext)
                .putInt((int) spec.recvSeq())
                .put((byte) ((tcpLength / 4) << 4))
                .put((byte) TcpSegment.ACK)
                .putShort((short) windowField)
                .putShort((short) 0)
                .putShort((short) 0);
        if (timestamps) {
            frame.put((byte) 1)
                    .put((byte) 1)
                    .put((byte) 8)
                    .put((byte) 10)
                    .putInt((int) spec.timestampValue())
                    .putInt(connection.client.timestampValue);
        }
        return withChecksums(frame.array(), connection, tcpLength);
    }

    /**
     * A frame from VIP:port to the client with room for {@code tcpLength} bytes of TCP header: its Ethernet and IPv4
     * headers written (checksum 0, see {@link #withChecksums}), positioned at the TCP header.
     */
    public static ByteBuffer headers(final byte[] ourMac, final TrackedConnection connection, final int tcpLength) {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + tcpLength);
        frame.put(connection.clientMac).put(ourMac).putShort((short) 0x0800);
        frame.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + tcpLength))
                .putShort((short) 0)
                .putShort((short) 0x4000)
                .put((byte) 64)
                .put((byte) 6)
                .putShort((short) 0)
                .putInt(connection.key.serverAddress())
                .putInt(connection.key.clientAddress());
        return frame;
    }

    /**
     * Fills in the IPv4 and TCP checksums of a hand-built frame from VIP:port to the client (Ethernet, a 20-byte IPv4
     * header, then {@code tcpLength} bytes of TCP header without payload); returns the frame.
     */
    public static byte[] withChecksums(final byte[] bytes, final TrackedConnection connection, final int tcpLength) {
        final int ipChecksum = ~FrameDecoder.onesComplementSum(bytes, 14, 20, 0) & 0xffff;
        bytes[24] = (byte) (ipChecksum >>> 8);
        bytes[25] = (byte) ipChecksum;
        final int server = connection.key.serverAddress();
        final int client = connection.key.clientAddress();
        final int pseudo = (server >>> 16) + (server & 0xffff) + (client >>> 16) + (client & 0xffff) + 6 + tcpLength;
        final int tcpChecksum = ~FrameDecoder.onesComplementSum(bytes, 34, tcpLength, pseudo) & 0xffff;
        bytes[50] = (byte) (tcpChecksum >>> 8);
        bytes[51] = (byte) tcpChecksum;
        return bytes;
    }
}
