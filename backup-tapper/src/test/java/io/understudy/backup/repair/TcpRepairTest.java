package io.understudy.backup.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.primary.TcpInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Restored sockets on 127.0.0.1 in the root namespace (loopback only): pairs of sockets, each restored with the
 * other's address and sequence numbers, so each side's send seq is the other's recv seq. Needs root
 * ({@link RepairPrivileges}).
 */
@Timeout(30)
class TcpRepairTest {
    private static final long TWO_TO_32 = 1L << 32;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<SocketChannel> channels = new ArrayList<>();

    @BeforeEach
    void requireRepair() throws IOException {
        RepairPrivileges.require();
    }

    @AfterEach
    void closeChannels() throws IOException {
        for (final SocketChannel channel : channels) {
            channel.close();
        }
    }

    @Test
    void shouldExchangeBytesBothWaysWhenSequenceNumbersWrap() throws Exception {
        final long seqA = TWO_TO_32 - 1_000;
        final long seqB = TWO_TO_32 - 3_000;
        final Pair pair = restorePair(seqA, seqB, spec -> spec);
        final byte[] fromA = randomBytes(100_000, 1);
        final byte[] fromB = randomBytes(100_000, 2);

        final CompletableFuture<byte[]> readByB = readAsync(pair.b, fromA.length);
        final CompletableFuture<byte[]> readByA = readAsync(pair.a, fromB.length);
        writeFully(pair.a, fromA);
        writeFully(pair.b, fromB);

        assertThat(readByB.get(20, TimeUnit.SECONDS)).isEqualTo(fromA);
        assertThat(readByA.get(20, TimeUnit.SECONDS)).isEqualTo(fromB);
        TcpRepair.enterRepair(pair.a);
        assertThat(TcpRepair.queueSeq(pair.a, TcpRepair.Queue.SEND)).isEqualTo((seqA + fromA.length) % TWO_TO_32);
        assertThat(TcpRepair.queueSeq(pair.a, TcpRepair.Queue.RECV)).isEqualTo((seqB + fromB.length) % TWO_TO_32);
        TcpRepair.leaveRepairWithoutWindowProbe(pair.a);
    }

    @Test
    void shouldLeaveTheAddressFreeForALaterListenerWhenRestored() throws Exception {
        final Pair pair = restorePair(5_000, 9_000, spec -> spec);
        final InetSocketAddress local = (InetSocketAddress) pair.a.getLocalAddress();

        assertThat(pair.a.getOption(java.net.StandardSocketOptions.SO_REUSEADDR))
                .isTrue();
        // A node restarted after a crash listens where its restored sockets (orphans by then) still are.
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(local);
            assertThat(((InetSocketAddress) listener.getLocalAddress()).getPort())
                    .isEqualTo(local.getPort());
        }
    }

    @Test
    void shouldReadBothQueuesInRepairModeWithoutConsumingThem() throws Exception {
        final long seqA = TWO_TO_32 - 10;
        final long seqB = 70_000;
        final Pair pair = restorePair(seqA, seqB, spec -> spec);
        final byte[] fromB = randomBytes(5_000, 3);
        writeFully(pair.b, fromB);
        // a.recv queue fills once the bytes crossed loopback; a never reads them.
        final long deadline = System.nanoTime() + 5_000_000_000L;
        TcpRepair.enterRepair(pair.a);
        while (TcpRepair.queueSeq(pair.a, TcpRepair.Queue.RECV) != seqB + fromB.length
                && System.nanoTime() < deadline) {
            TcpRepair.leaveRepairWithoutWindowProbe(pair.a);
            Thread.sleep(10);
            TcpRepair.enterRepair(pair.a);
        }

        assertThat(TcpRepair.queueBytes(pair.a, TcpRepair.Queue.RECV))
                .as("received, not read")
                .isEqualTo(fromB);
        assertThat(TcpRepair.queueBytes(pair.a, TcpRepair.Queue.RECV))
                .as("peeked: still there")
                .isEqualTo(fromB);
        assertThat(TcpRepair.queueBytes(pair.a, TcpRepair.Queue.SEND))
                .as("nothing unacked")
                .isEmpty();
        TcpRepair.leaveRepairWithoutWindowProbe(pair.a);
        assertThat(readAsync(pair.a, fromB.length).get(10, TimeUnit.SECONDS))
                .as("read after the peeks")
                .isEqualTo(fromB);

        // A socket built with unacked bytes, still in repair mode: they are its send queue, from snd_una.
        final int[] ports = freePorts(2);
        final byte[] unacked = randomBytes(3_000, 4);
        final SocketChannel sender = prepare(RestoreSpec.of(
                        new InetSocketAddress(LOOPBACK, ports[0]),
                        new InetSocketAddress(LOOPBACK, ports[1]),
                        seqA,
                        seqB,
                        1460)
                .withUnackedBytes(unacked));
        assertThat(TcpRepair.queueBytes(sender, TcpRepair.Queue.SEND)).isEqualTo(unacked);
        assertThat(TcpRepair.queueSeq(sender, TcpRepair.Queue.SEND)).isEqualTo((seqA + unacked.length) % TWO_TO_32);
        assertThat(TcpRepair.queueBytes(sender, TcpRepair.Queue.RECV)).isEmpty();
    }

    @Test
    void shouldUseTheNegotiatedOptionsWhenRestored() throws Exception {
        final Pair pair = restorePair(
                10_000,
                20_000,
                spec -> spec.withWindowScales(7, 5).withSackPermitted(true).withTimestamps(123_456));

        final TcpInfo info = TcpRepair.info(pair.a);
        assertThat(info.isEstablished()).isTrue();
        assertThat(info.hasWindowScale()).isTrue();
        assertThat(info.sendWindowScale()).isEqualTo(7);
        assertThat(info.receiveWindowScale()).isEqualTo(5);
        assertThat(info.hasSack()).isTrue();
        assertThat(info.hasTimestamps()).isTrue();
        assertThat(info.sendMss())
                .as("segment size: the MSS less the 12 timestamp option bytes")
                .isEqualTo(1448);
        assertThat(TcpRepair.timestamp(pair.a)).isBetween(123_456L, 123_456L + 10_000);
        writeFully(pair.a, "ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(readAsync(pair.b, 4).get(10, TimeUnit.SECONDS)).asString().isEqualTo("ping");
    }

    @Test
    void shouldDeliverUnackedBytesQueuedInRepairModeWhenThePeerNeverGotThem() throws Exception {
        final byte[] unacked = "bytes the peer never received".getBytes(StandardCharsets.US_ASCII);
        final long seqA = TWO_TO_32 - 10;
        final int[] ports = freePorts(2);
        final InetSocketAddress addressA = new InetSocketAddress(LOOPBACK, ports[0]);
        final InetSocketAddress addressB = new InetSocketAddress(LOOPBACK, ports[1]);
        final SocketChannel a =
                prepare(RestoreSpec.of(addressA, addressB, seqA, 500, 1460).withUnackedBytes(unacked));
        final SocketChannel b = prepare(RestoreSpec.of(addressB, addressA, 500, seqA, 1460));
        TcpRepair.leaveRepair(b);
        TcpRepair.leaveRepair(a);

        assertThat(readAsync(b, unacked.length).get(20, TimeUnit.SECONDS)).isEqualTo(unacked);
        writeFully(a, "!".getBytes(StandardCharsets.US_ASCII));
        assertThat(readAsync(b, 1).get(10, TimeUnit.SECONDS)).asString().isEqualTo("!");
    }

    @Test
    void shouldCarryOnAfterTheClientsFinWhenRestoredWithTheFinInTheReceiveSequence() throws Exception {
        // A: the server, B: the client. B sends its request and its FIN; A has read both (CLOSE_WAIT), then dies.
        final Pair pair = restorePair(TWO_TO_32 - 100, 7_000, spec -> spec);
        writeFully(pair.b, "request".getBytes(StandardCharsets.US_ASCII));
        pair.b.shutdownOutput();
        assertThat(readToEnd(pair.a).get(10, TimeUnit.SECONDS)).asString().isEqualTo("request");
        final SocketChannel restored = replaceSilently(pair.a, 0);

        // As a takeover restores it: rcv_nxt past the client's FIN, the kernel never told of it.
        writeFully(restored, "reply".getBytes(StandardCharsets.US_ASCII));
        restored.shutdownOutput();

        assertThat(readToEnd(pair.b).get(10, TimeUnit.SECONDS))
                .as("the reply, then the end of the stream")
                .asString()
                .isEqualTo("reply");
    }

    @Test
    void shouldSendTheServersFinAgainAndCarryOnWhenRestoredBeforeIt() throws Exception {
        // A: the server, B: the client. A sends its last bytes and its FIN; B has read both (CLOSE_WAIT), then A dies.
        final Pair pair = restorePair(TWO_TO_32 - 2, 9_000, spec -> spec);
        writeFully(pair.a, "BYE".getBytes(StandardCharsets.US_ASCII));
        pair.a.shutdownOutput();
        assertThat(readToEnd(pair.b).get(10, TimeUnit.SECONDS)).asString().isEqualTo("BYE");
        // As a takeover restores it: the FIN queued as sent after the last bytes, so the client's acks of it count.
        final SocketChannel restored = replaceSilently(pair.a, 1);
        assertThat(TcpRepair.info(restored).isEstablished())
                .as("half closed: FIN_WAIT")
                .isFalse();

        writeFully(pair.b, "still talking".getBytes(StandardCharsets.US_ASCII));
        pair.b.shutdownOutput();

        assertThat(readToEnd(restored).get(10, TimeUnit.SECONDS))
                .as("the client's bytes after the FIN, then its end")
                .asString()
                .isEqualTo("still talking");
    }

    @Test
    void shouldRaiseTheSendBufferSoThatAQueueLargerThanItFits() throws Exception {
        final byte[] unacked = randomBytes(1_000_000, 3);
        final int[] ports = freePorts(2);
        final InetSocketAddress addressA = new InetSocketAddress(LOOPBACK, ports[0]);
        final InetSocketAddress addressB = new InetSocketAddress(LOOPBACK, ports[1]);
        final long seqA = TWO_TO_32 - 500_000;
        final SocketChannel a =
                prepare(RestoreSpec.of(addressA, addressB, seqA, 1, 1460).withUnackedBytes(unacked));
        final SocketChannel b = prepare(RestoreSpec.of(addressB, addressA, 1, seqA, 1460));
        assertThat(TcpRepair.queueSeq(a, TcpRepair.Queue.SEND)).isEqualTo((seqA + unacked.length) % TWO_TO_32);
        TcpRepair.leaveRepair(b);
        TcpRepair.leaveRepair(a);

        assertThat(readAsync(b, unacked.length).get(20, TimeUnit.SECONDS)).isEqualTo(unacked);
    }

    @Test
    void shouldReadBackTheRepairWindowItSet() throws Exception {
        final int[] ports = freePorts(2);
        final long recvSeq = TWO_TO_32 - 100;
        final RepairWindow window = new RepairWindow(recvSeq, 60_000, 65_535, 64_000, recvSeq);
        final SocketChannel a = prepare(RestoreSpec.of(
                        new InetSocketAddress(LOOPBACK, ports[0]),
                        new InetSocketAddress(LOOPBACK, ports[1]),
                        7,
                        recvSeq,
                        1460)
                .withWindow(window));

        assertThat(TcpRepair.isInRepair(a)).isTrue();
        assertThat(TcpRepair.window(a)).isEqualTo(window);
        assertThat(TcpRepair.queueSeq(a, TcpRepair.Queue.SEND)).isEqualTo(7);
        assertThat(TcpRepair.queueSeq(a, TcpRepair.Queue.RECV)).isEqualTo(recvSeq);
    }

    @Test
    void shouldNameTheOptionAndErrnoWhenTheKernelRefuses() throws Exception {
        final SocketChannel notInRepair = track(SocketChannel.open(StandardProtocolFamily.INET));

        assertThatThrownBy(() -> TcpRepair.setQueueSeq(notInRepair, TcpRepair.Queue.SEND, 1))
                .isInstanceOf(TcpRepairException.class)
                .hasMessageContaining("setsockopt(TCP_REPAIR_QUEUE=2) on fd ")
                .hasMessageContaining("EPERM (errno 1, Operation not permitted)");
        TcpRepair.enterRepair(notInRepair);
        assertThatThrownBy(() -> TcpRepair.setOptions(notInRepair, 1460, -1, -1, false, false))
                .isInstanceOf(TcpRepairException.class)
                .hasMessageContaining("TCP_REPAIR_OPTIONS={mss=1460, wscale=none, sack=false, timestamps=false}")
                .hasMessageContaining("EPERM");
    }

    @Test
    void shouldSayWhichStepFailedWhenTheFourTupleIsTaken() throws Exception {
        final int[] ports = freePorts(2);
        final RestoreSpec spec = RestoreSpec.of(
                new InetSocketAddress(LOOPBACK, ports[0]), new InetSocketAddress(LOOPBACK, ports[1]), 1, 2, 1460);
        prepare(spec);

        assertThatThrownBy(() -> TcpRepair.prepare(spec))
                .isInstanceOf(TcpRepairException.class)
                .hasMessageContaining("connect(" + spec.local() + " -> " + spec.remote() + ") in repair mode");
    }

    /** The backup warms the repair path at start: the sockets it builds and drops must never reach anyone. */
    @Test
    void shouldWarmUpWithoutAnySegmentReachingTheAddressItUses() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(LOOPBACK, 0));
            listener.configureBlocking(false);

            final long lastUs = TcpRepair.warmUp(5, (InetSocketAddress) listener.getLocalAddress());

            assertThat(lastUs).as("the last build's time").isPositive();
            Thread.sleep(200);
            assertThat(listener.accept())
                    .as("no SYN left a socket built in repair mode")
                    .isNull();
            assertThat(TcpRepair.warmUp(1)).isPositive();
        }
    }

    @Test
    void shouldSendNeitherFinNorResetWhenClosedSilently() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(LOOPBACK, 0));
            final SocketChannel peer = track(SocketChannel.open(listener.getLocalAddress()));
            final SocketChannel accepted = listener.accept();
            accepted.write(java.nio.ByteBuffer.wrap(new byte[] {42}));

            TcpRepair.closeSilently(accepted);

            assertThat(accepted.isOpen()).isFalse();
            final java.net.Socket socket = peer.socket();
            socket.setSoTimeout(500);
            assertThat(socket.getInputStream().read())
                    .as("the byte sent before")
                    .isEqualTo(42);
            assertThatThrownBy(() -> socket.getInputStream().read())
                    .as("no FIN (read would return -1) and no RST (a SocketException): the read times out")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    @Test
    void shouldRejectInvalidSpecs() {
        final InetSocketAddress any = new InetSocketAddress(LOOPBACK, 1);
        assertThatThrownBy(() -> RestoreSpec.of(any, any, TWO_TO_32, 0, 1460))
                .hasMessageContaining("sendSeq must be an unsigned 32-bit value, got 4294967296");
        assertThatThrownBy(() -> RestoreSpec.of(any, any, 0, 0, 1460).withWindowScales(7, -1))
                .hasMessageContaining("both ways or not at all");
        assertThatThrownBy(() -> RestoreSpec.of(any, any, 0, 0, 1460).withWindowScales(15, 15))
                .hasMessageContaining("sendWindowScale must be -1 (none) or 0..14, got 15");
        assertThatThrownBy(() -> RestoreSpec.of(any, any, 0, 0, 0)).hasMessageContaining("mss must be 1..65535");
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Two sockets restored facing each other, both prepared before either leaves repair mode (a window probe to a
     * socket that does not exist yet would be answered with a RST). {@code tune} describes A's side; B gets the
     * mirror image of its window scales.
     */
    private Pair restorePair(final long seqA, final long seqB, final UnaryOperator<RestoreSpec> tune)
            throws IOException {
        final int[] ports = freePorts(2);
        final InetSocketAddress addressA = new InetSocketAddress(LOOPBACK, ports[0]);
        final InetSocketAddress addressB = new InetSocketAddress(LOOPBACK, ports[1]);
        final SocketChannel a = prepare(tune.apply(RestoreSpec.of(addressA, addressB, seqA, seqB, 1460)));
        final RestoreSpec specB = tune.apply(RestoreSpec.of(addressB, addressA, seqB, seqA, 1460));
        final SocketChannel b = prepare(
                specB.sendWindowScale() >= 0
                        ? specB.withWindowScales(specB.recvWindowScale(), specB.sendWindowScale())
                        : specB);
        TcpRepair.leaveRepair(a);
        TcpRepair.leaveRepair(b);
        return new Pair(a, b);
    }

    private SocketChannel prepare(final RestoreSpec spec) throws IOException {
        return track(TcpRepair.prepare(spec));
    }

    private SocketChannel track(final SocketChannel channel) {
        channels.add(channel);
        return channel;
    }

    private static int[] freePorts(final int count) throws IOException {
        final int[] ports = new int[count];
        final List<ServerSocketChannel> holders = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                final ServerSocketChannel holder = ServerSocketChannel.open(StandardProtocolFamily.INET);
                holders.add(holder);
                holder.bind(new InetSocketAddress(LOOPBACK, 0));
                ports[i] = ((InetSocketAddress) holder.getLocalAddress()).getPort();
            }
        } finally {
            for (final ServerSocketChannel holder : holders) {
                holder.close();
            }
        }
        return ports;
    }

    private static byte[] randomBytes(final int length, final long seed) {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void writeFully(final SocketChannel channel, final byte[] bytes) throws IOException {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static CompletableFuture<byte[]> readAsync(final SocketChannel channel, final int length) {
        return CompletableFuture.supplyAsync(() -> {
            final ByteBuffer buffer = ByteBuffer.allocate(length);
            try {
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer) < 0) {
                        throw new IOException("end of stream after " + buffer.position() + " of " + length);
                    }
                }
            } catch (final IOException ex) {
                throw new IllegalStateException(ex);
            }
            return buffer.array();
        });
    }

    /**
     * Closes {@code dying} without a word (a crash, as the peer sees it) and restores its connection in its place,
     * as a takeover would: with {@code finsLeftOut} 1, the FIN it sent is taken out of the send sequence and queued
     * again as sent ({@link RestoreSpec#withFinSent()}).
     */
    private SocketChannel replaceSilently(final SocketChannel dying, final int finsLeftOut) throws IOException {
        TcpRepair.enterRepair(dying);
        final long send = (TcpRepair.queueSeq(dying, TcpRepair.Queue.SEND) - finsLeftOut + TWO_TO_32) % TWO_TO_32;
        final long recv = TcpRepair.queueSeq(dying, TcpRepair.Queue.RECV);
        final InetSocketAddress local = (InetSocketAddress) dying.getLocalAddress();
        final InetSocketAddress remote = (InetSocketAddress) dying.getRemoteAddress();
        TcpRepair.closeSilently(dying);
        final RestoreSpec spec = RestoreSpec.of(local, remote, send, recv, 1460);
        final SocketChannel restored = prepare(finsLeftOut > 0 ? spec.withFinSent() : spec);
        TcpRepair.leaveRepair(restored);
        return restored;
    }

    /** Everything the channel delivers up to its end of stream. */
    private static CompletableFuture<byte[]> readToEnd(final SocketChannel channel) {
        return CompletableFuture.supplyAsync(() -> {
            final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            final ByteBuffer buffer = ByteBuffer.allocate(4096);
            try {
                while (channel.read(buffer.clear()) >= 0) {
                    out.write(buffer.array(), 0, buffer.position());
                }
            } catch (final IOException ex) {
                throw new IllegalStateException(ex);
            }
            return out.toByteArray();
        });
    }

    private record Pair(SocketChannel a, SocketChannel b) {}
}
