package io.understudy.backup.takeover;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.repair.RepairPrivileges;
import io.understudy.backup.repair.RestoreSpec;
import io.understudy.backup.repair.TcpRepair;
import io.understudy.primary.TcpInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The primary's output the client had not acknowledged at a takeover, as a restored socket delivers it: sent as the
 * socket leaves repair mode, not queued as sent for the retransmission timer. Both ends are restored sockets on
 * 127.0.0.1 (A the new primary's, B standing in for a client that never got the bytes). Needs root.
 */
@Timeout(30)
class TakeoverResendTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long SEQ_A = (1L << 32) - 10;
    private static final long SEQ_B = 500;
    private static final byte[] LOST =
            "the primary's last reply, lost on its way\n".getBytes(StandardCharsets.US_ASCII);

    private final List<SocketChannel> channels = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (final SocketChannel channel : channels) {
            channel.close();
        }
    }

    @Test
    void shouldSendTheUnacknowledgedOutputAtOnceSoNoTimerDeliversIt() throws Exception {
        RepairPrivileges.require();
        final byte[] answer = "the replica's answer\n".getBytes(StandardCharsets.US_ASCII);
        final SocketChannel[] pair = restoredPair(true);

        final byte[] first = Takeover.resentAtOnce(specA(pair[0]));
        assertThat(first).isEqualTo(LOST);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        out.write(answer);
        assertThat(Takeover.sendNow(pair[0], out.toByteArray())).isEmpty();

        assertThat(TakeoverSendNowTest.read(pair[1], LOST.length + answer.length))
                .isEqualTo(out.toByteArray());
        final TcpInfo.Retransmission timers = acknowledged(pair[0]);
        assertThat(timers.totalRetransmissions())
                .as("delivered by its first transmission, not by a timer")
                .isZero();
    }

    @Test
    void shouldNeedATimerToDeliverOutputQueuedAsSentInRepairMode() throws Exception {
        RepairPrivileges.require();
        // What a restored socket did before: the same bytes in the repair send queue.
        final SocketChannel[] pair = restoredPair(false);
        final TcpInfo.Retransmission before = TcpInfo.Retransmission.read(pair[0]);
        // Its timeout is the kernel's fallback, 3 s, unless the host's TCP metrics cache holds a round trip for the
        // peer's address (loopback's does once other tests closed connections): what it is here does not matter.
        assertThat(before.rttUs()).as("no round-trip estimate after a restore").isZero();

        assertThat(TakeoverSendNowTest.read(pair[1], LOST.length)).isEqualTo(LOST);
        assertThat(TcpInfo.Retransmission.read(pair[0]).totalRetransmissions())
                .as("only a retransmission (the tail loss probe, 1 s on) delivered them")
                .isPositive();
    }

    @Test
    void shouldKeepTheBytesQueuedAsSentWhenTheFinFollowedThem() {
        final RestoreSpec spec = RestoreSpec.of(
                        new InetSocketAddress(LOOPBACK, 7070), new InetSocketAddress(LOOPBACK, 40000), 1, 1, 1460)
                .withUnackedBytes(LOST)
                .withFinSent();
        assertThat(Takeover.builtInRepair(spec)).isEqualTo(spec);
        assertThat(Takeover.resentAtOnce(spec)).isEmpty();
        assertThat(Takeover.builtInRepair(spec.withUnackedBytes(LOST)).unackedBytes())
                .isEqualTo(LOST);
    }

    /** A's spec: its primary's {@link #LOST} not acknowledged by its peer. */
    private static RestoreSpec specA(final InetSocketAddress a, final InetSocketAddress b) {
        return RestoreSpec.of(a, b, SEQ_A, SEQ_B, 1460).withUnackedBytes(LOST);
    }

    private static RestoreSpec specA(final SocketChannel a) throws IOException {
        return specA((InetSocketAddress) a.getLocalAddress(), (InetSocketAddress) a.getRemoteAddress());
    }

    /**
     * A (the restored server, {@link #specA}) and B (its peer, which never got the bytes),
     * both out of repair mode; A built as a takeover builds it ({@code asTakeover}) or with the bytes in its repair
     * send queue.
     */
    private SocketChannel[] restoredPair(final boolean asTakeover) throws IOException {
        final int[] ports = freePorts();
        final InetSocketAddress addressA = new InetSocketAddress(LOOPBACK, ports[0]);
        final InetSocketAddress addressB = new InetSocketAddress(LOOPBACK, ports[1]);
        final RestoreSpec specA = specA(addressA, addressB);
        final SocketChannel a = track(TcpRepair.prepare(asTakeover ? Takeover.builtInRepair(specA) : specA));
        final SocketChannel b = track(TcpRepair.prepare(RestoreSpec.of(addressB, addressA, SEQ_B, SEQ_A, 1460)));
        TcpRepair.leaveRepair(b);
        TcpRepair.leaveRepair(a);
        return new SocketChannel[] {a, b};
    }

    private SocketChannel track(final SocketChannel channel) {
        channels.add(channel);
        return channel;
    }

    /** A's figures once an acknowledgement it could time has arrived from B (within 10 s). */
    private static TcpInfo.Retransmission acknowledged(final SocketChannel a) throws Exception {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        TcpInfo.Retransmission timers = TcpInfo.Retransmission.read(a);
        while (timers.rttUs() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
            timers = TcpInfo.Retransmission.read(a);
        }
        assertThat(timers.rttUs()).as("A got an acknowledgement it could time").isPositive();
        return timers;
    }

    private static int[] freePorts() throws IOException {
        try (ServerSocketChannel one = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                ServerSocketChannel two = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            return new int[] {
                ((InetSocketAddress) one.getLocalAddress()).getPort(),
                ((InetSocketAddress) two.getLocalAddress()).getPort()
            };
        }
    }
}
