package io.understudy.logger;

import static io.understudy.logger.Shipping.KEY;
import static io.understudy.logger.Shipping.LARGE_BUFFER;
import static io.understudy.logger.Shipping.RECONNECT_MS;
import static io.understudy.logger.Shipping.anyPort;
import static io.understudy.logger.Shipping.await;
import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input from the network gets an ERROR frame and a closed connection, and changes nothing else: garbage, huge
 * frame headers (nothing allocated for them), bad MACs, slow senders (closed within the timeout) and floods (the
 * connection cap), while the logger keeps serving the real primary.
 */
@Timeout(60)
class LogServerBadInputTest {
    private static final long TIMEOUT_MS = 500;
    private static final int MAX_CONNECTIONS = 16;

    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();
    private EventLog log;
    private LogServer server;

    @BeforeEach
    void start() throws Exception {
        log = EventLog.open(config(directory, time));
        server = LogServer.start(
                "logger",
                anyPort(),
                log,
                KEY,
                new LogServerLimits(MAX_CONNECTIONS, TIMEOUT_MS, TIMEOUT_MS, 1_000, 60_000));
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    @Test
    void shouldAnswerErrorAndCloseWhenHelloIsGarbage() throws Exception {
        assertRejected(
                "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                "HELLO magic=0x20544547, expected 0x474f4c55 ('ULOG')");
        assertRejected("garbage!".getBytes(StandardCharsets.US_ASCII), "HELLO magic=0x62726167");
    }

    @Test
    void shouldReadNoFrameHeaderWhenItComesBeforeTheHello() throws Exception {
        final byte[] header = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(2 << 20)
                .put((byte) 3)
                .array();
        assertRejected(header, "HELLO magic=0x00200000");
        assertRejected(new byte[] {-1, -1, -1, -1, 1, 0, 0, 0}, "HELLO magic=0xffffffff");
    }

    @Test
    void shouldAnswerErrorAndCloseWhenHelloIsBad() throws Exception {
        final byte[] nonce = new byte[LogHandshake.NONCE_BYTES];
        assertRejected(
                LogHandshake.hello(3, KEY, "node".getBytes(StandardCharsets.UTF_8), nonce),
                "HELLO role=3, expected 1 (writer) or 2 (tail)");
        assertRejected(
                LogHandshake.hello(LogProtocol.ROLE_WRITER, KEY, new byte[0], nonce),
                "HELLO nodeId length=0, expected 1..256");
        final byte[] oldVersion = LogHandshake.hello(LogProtocol.ROLE_WRITER, KEY, new byte[] {'n'}, nonce);
        oldVersion[4] = 1;
        assertRejected(oldVersion, "HELLO version=1, expected=2");
    }

    @Test
    void shouldAnswerErrorAndCloseWhenAuthenticatedPeerAnnouncesOversizeFrame() throws Exception {
        try (RawConnection writer = writer()) {
            writer.sendRaw(ByteBuffer.allocate(5)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((2 << 20) + 1)
                    .put((byte) LogProtocol.RECORD)
                    .array());
            assertErrorThenClosed(writer, "frame length=2097153, expected 17..2097152");
        }
        try (RawConnection tail = new RawConnection(server.address())) {
            tail.handshake(KEY, LogProtocol.ROLE_TAIL, "t").sendRaw(new byte[] {100, 0, 0, 0, 6});
            assertErrorThenClosed(tail, "frame length=100, expected 17..26");
        }
        assertThat(server.stats().rejected()).isEqualTo(2);
    }

    @Test
    void shouldAnswerErrorAndCloseWhenKindIsUnknownOrMacIsWrong() throws Exception {
        try (RawConnection writer = writer()) {
            assertErrorThenClosed(
                    writer.send(99, new byte[3]), "expected RECORD, GAP or KEEPALIVE from a writer, got unknown(99)");
        }
        try (RawConnection writer = writer()) {
            final byte[] frame = RawConnection.frame(LogProtocol.KEEPALIVE, new byte[FrameMac.LENGTH]);
            assertErrorThenClosed(writer.sendRaw(frame), "frame MAC does not verify: kind=KEEPALIVE(9), counter=0");
        }
    }

    @Test
    void shouldAnswerErrorAndAppendNothingWhenRecordIsCorrupt() throws Exception {
        final byte[] encoded =
                RawConnection.encode(new PrimaryRead(1, 0, 1, 0, "abcd".getBytes(StandardCharsets.US_ASCII)));
        encoded[38] ^= 0x10;
        try (RawConnection writer = writer()) {
            assertErrorThenClosed(writer.send(LogProtocol.RECORD, encoded), "corrupt record on the wire: crc=");
        }
        try (RawConnection writer = writer()) {
            assertErrorThenClosed(
                    writer.send(LogProtocol.RECORD, RawConnection.encode(Samples.data(1, 0, "tap"))),
                    "RECORD holds a StreamData, expected a ShippedRecord");
        }
        assertThat(log.lastIndex()).isEqualTo(-1);
        assertThat(server.stats().appended()).isZero();
    }

    @Test
    void shouldAnswerErrorWhenTailAsksForIndexBeyondTheLog() throws Exception {
        assertTailRejected(RawConnection.longs(0x1234_0000_0000L), "is not in the event log");
        assertTailRejected(RawConnection.longs(-2), "TAIL fromIndex=-2, expected -1");
        assertTailRejected(new byte[4], "TAIL(6) body length=4, expected=8 or 9");
        assertTailRejected(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 2}, "TAIL(6) flags=0x2, expected 0 or 0x1");
    }

    @Test
    void shouldCloseSlowSendersWithinTheTimeoutWhenHelloOrFrameStalls() throws Exception {
        final long startNs = System.nanoTime();
        assertRejected(new byte[] {0x55, 0x4C, 0x4F}, "HELLO not complete within the handshake timeout: 3 of 8 bytes");
        try (RawConnection writer = writer()) {
            writer.sendRaw(new byte[] {120, 0, 0, 0, (byte) LogProtocol.RECORD, 1, 2, 3});
            assertErrorThenClosed(writer, "frame not completed within frameTimeoutMs=500: 8 of 124 bytes");
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).isLessThan(5 * TIMEOUT_MS);
    }

    @Test
    void shouldRefuseAtOnceBeyondTheConnectionCap() throws Exception {
        final List<RawConnection> held = new ArrayList<>();
        try (LogServer capped = LogServer.start(
                "capped",
                anyPort(),
                log,
                KEY,
                new LogServerLimits(MAX_CONNECTIONS, 30_000, TIMEOUT_MS, 1_000, 60_000))) {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                held.add(new RawConnection(capped.address()));
            }
            await(
                    "the cap's connections accepted",
                    () -> capped.stats().connectionsOpen() == MAX_CONNECTIONS,
                    capped::stats);
            try (RawConnection oneMore = new RawConnection(capped.address())) {
                assertThat(oneMore.isClosedByPeer()).isTrue();
            }
            assertThat(capped.stats().connectionsRefused()).isEqualTo(1);
            held.remove(0).close();
            await("a place freed", () -> capped.stats().connectionsOpen() == MAX_CONNECTIONS - 1, capped::stats);
            try (RawConnection writer = new RawConnection(capped.address())) {
                assertThat(writer.writer("primary")).isZero();
            }
        } finally {
            for (final RawConnection connection : held) {
                connection.close();
            }
        }
    }

    @Test
    void shouldKeepServingThePrimaryWhenStrangersFloodStallAndSendHugeHeaders() throws Exception {
        try (LogShipper shipper =
                LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
            final List<PrimaryRead> shipped = new ArrayList<>(LogShippingTest.shipReads(shipper, 0, 100));
            LogShippingTest.awaitAcked(shipper, shipped);
            final List<RawConnection> attackers = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    final RawConnection attacker = new RawConnection(server.address());
                    attackers.add(attacker);
                    sendQuietly(attacker, i % 2 == 0 ? new byte[] {-1, -1, -1, 127} : new byte[] {0x55});
                }
                shipped.addAll(
                        LogShippingTest.shipReads(shipper, shipped.get(99).endOffset(), 100));
                LogShippingTest.awaitAcked(shipper, shipped);
            } finally {
                for (final RawConnection attacker : attackers) {
                    attacker.close();
                }
            }
            assertThat(log.replay(1)).containsExactlyElementsOf(shipped);
            assertThat(shipper.stats().lastError()).isNull();
            assertThat(server.stats().connectionsRefused()).isPositive();
            assertThat(server.stats().appended()).isEqualTo(200);
        }
    }

    private static void sendQuietly(final RawConnection connection, final byte[] bytes) {
        try {
            connection.sendRaw(bytes);
        } catch (final IOException refused) {
            // Beyond the cap the logger closed it at once: that is the point.
        }
    }

    /** A writer past the handshake and WELCOME, once the previous writer's place is free. */
    private RawConnection writer() throws Exception {
        await("no writer connected", () -> server.stats().writersConnected() == 0, server::stats);
        final RawConnection writer = new RawConnection(server.address());
        writer.writer("w");
        return writer;
    }

    private void assertTailRejected(final byte[] body, final String message) throws Exception {
        try (RawConnection tail = new RawConnection(server.address())) {
            assertErrorThenClosed(
                    tail.handshake(KEY, LogProtocol.ROLE_TAIL, "t").send(LogProtocol.TAIL, body), message);
        }
    }

    /** Sends the bytes on a new connection and expects one ERROR frame with the message, then the close. */
    private void assertRejected(final byte[] bytes, final String message) throws Exception {
        final long rejectedBefore = server.stats().rejected();
        try (RawConnection connection = new RawConnection(server.address())) {
            assertErrorThenClosed(connection.sendRaw(bytes), message);
        }
        assertThat(server.stats().rejected()).isEqualTo(rejectedBefore + 1);
    }

    private void assertErrorThenClosed(final RawConnection connection, final String message) throws Exception {
        final RawConnection.Frame frame = connection.read();
        assertThat(frame.kind()).as("kind of the answer to %s", message).isEqualTo(LogProtocol.ERROR);
        assertThat(frame.text()).contains(message);
        assertThat(connection.isClosedByPeer()).isTrue();
        assertThat(server.stats().lastError()).contains(message);
    }
}
