package io.understudy.backup.takeover;

import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.repair.RestoreSpec;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TrackedConnection;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * ICMP "host unreachable" about a client's own segment, sent to the client of a restored connection right after the
 * takeover: a client that retransmitted into the dead primary is backing off (0.2, 0.4, 0.8, 1.6 s...), and
 * nothing the restored socket sends makes it send again sooner. RFC 6069 does: a host or network unreachable that
 * quotes the segment at snd_una of a connection in retransmission backoff undoes one backoff step, and when the
 * shortened timeout has already passed, the client retransmits at once (Linux since 2.6.36, tcp_ld_RTO_revert).
 * Passes over every restored connection undo a step each ({@link #rounds}: as many as the outage can have doubled
 * the timeout), so a client whose request the tap never saw sends it again within about a round trip of the takeover
 * instead of after its next doubled timeout.
 *
 * <p>For a client not in backoff, or one whose snd_una is not the quoted sequence number, the kernel only notes a
 * soft error, which its next acknowledged segment clears. A client that set IP_RECVERR on its TCP socket is told
 * the error once on its next call; such clients are rare (the README lists this among the limitations).
 *
 * <pre>
 * Ethernet (client MAC, our MAC, 0x0800) | IPv4 (VIP -> client, proto ICMP, TTL 64) |
 * ICMP (type 3 destination unreachable, code 1 host) | quoted IPv4 (client -> VIP, TCP) |
 * quoted TCP header (client port, service port, seq, ack, ACK); the kernel reads its first 8 bytes
 * </pre>
 */
public final class RetransmitNudge {
    /** The most passes: enough for an outage of about 12 s at a 0.2 s RTO. */
    static final int MAX_ROUNDS = 6;

    /** Linux's smallest retransmission timeout (TCP_RTO_MIN): the fastest a client's backoff can grow. */
    private static final long RTO_MIN_NS = 200_000_000L;

    private static final int IP_LENGTH = 20;
    private static final int ICMP_HEADER = 8;
    private static final int QUOTED_TCP = 20;
    private static final int FRAME_LENGTH = 14 + IP_LENGTH + ICMP_HEADER + IP_LENGTH + QUOTED_TCP;

    private RetransmitNudge() {}

    /**
     * How many passes of nudges undo every backoff step a client can have taken in an outage of {@code outageNs}
     * (since the tap last heard the primary): its k-th retransmission comes 0.2 x (2^k - 1) s after its first
     * transmission at the earliest, which may have been up to one RTO before the primary's last frame. At least 1, at
     * most {@link #MAX_ROUNDS}: after 0.8 s, 2 (of the 6 every takeover sent before, which at 2,000 connections took
     * 216 ms beside the new primary's adoption of them).
     */
    public static int rounds(final long outageNs) {
        final double timeouts = Math.max(0, outageNs) / (double) RTO_MIN_NS + 1;
        final int backoffs = (int) Math.floor(Math.log(timeouts + 1) / Math.log(2));
        return Math.max(1, Math.min(MAX_ROUNDS, backoffs));
    }

    /**
     * The nudges for one restored connection, one per candidate of the client's snd_una: the primary's last
     * acknowledgement the tap saw, and the restored socket's rcv_nxt when it differs (the tap missed an ack, or client
     * bytes the primary never acked went into the receive queue). None without the client's MAC. They are sent in
     * {@link #rounds} passes over all connections, so every client has its first nudge after one pass, not after the
     * connections before it had all theirs.
     */
    static List<byte[]> framesFor(final byte[] ourMac, final TrackedConnection connection, final RestoreSpec spec) {
        final List<byte[]> frames = new ArrayList<>();
        if (ourMac == null || connection.clientMac == null) {
            return frames;
        }
        final int acked = connection.client.base + (int) connection.client.ackedByPeer;
        final int received = (int) spec.recvSeq();
        for (final int sequence : acked == received ? new int[] {acked} : new int[] {acked, received}) {
            frames.add(frame(ourMac, connection, sequence, (int) spec.sendSeq()));
        }
        return frames;
    }

    /** One nudge quoting the client's segment at {@code sequence}, acknowledging {@code acknowledgement}. */
    static byte[] frame(
            final byte[] ourMac, final TrackedConnection connection, final int sequence, final int acknowledgement) {
        final int service = connection.key.serverAddress();
        final int client = connection.key.clientAddress();
        final ByteBuffer frame = ByteBuffer.allocate(FRAME_LENGTH);
        frame.put(connection.clientMac).put(ourMac).putShort((short) 0x0800);
        putIpHeader(frame, IP_LENGTH + ICMP_HEADER + IP_LENGTH + QUOTED_TCP, 1, service, client);
        frame.put((byte) 3).put((byte) 1).putShort((short) 0).putInt(0);
        // The quoted segment as the client sent it: a header-only TCP segment to the service address.
        putIpHeader(frame, IP_LENGTH + QUOTED_TCP, 6, client, service);
        frame.putShort((short) connection.key.clientPort())
                .putShort((short) connection.key.serverPort())
                .putInt(sequence)
                .putInt(acknowledgement)
                .put((byte) ((QUOTED_TCP / 4) << 4))
                .put((byte) TcpSegment.ACK)
                .putShort((short) 0)
                .putInt(0);
        final byte[] bytes = frame.array();
        putChecksum(bytes, 14, IP_LENGTH, 24);
        putChecksum(bytes, 14 + IP_LENGTH + ICMP_HEADER, IP_LENGTH, 14 + IP_LENGTH + ICMP_HEADER + 10);
        putChecksum(bytes, 14 + IP_LENGTH, ICMP_HEADER + IP_LENGTH + QUOTED_TCP, 14 + IP_LENGTH + 2);
        return bytes;
    }

    private static void putIpHeader(
            final ByteBuffer frame, final int totalLength, final int protocol, final int from, final int to) {
        frame.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) totalLength)
                .putShort((short) 0)
                .putShort((short) 0x4000)
                .put((byte) 64)
                .put((byte) protocol)
                .putShort((short) 0)
                .putInt(from)
                .putInt(to);
    }

    /** Writes the Internet checksum of {@code bytes[offset, offset + length)} at {@code at} (zero there before). */
    private static void putChecksum(final byte[] bytes, final int offset, final int length, final int at) {
        final int checksum = ~FrameDecoder.onesComplementSum(bytes, offset, length, 0) & 0xffff;
        bytes[at] = (byte) (checksum >>> 8);
        bytes[at + 1] = (byte) checksum;
    }
}
