package io.understudy.logger;

import static io.understudy.logger.Shipping.LARGE_BUFFER;
import static io.understudy.logger.Shipping.RECONNECT_MS;
import static io.understudy.logger.Shipping.anyPort;
import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad input from the network gets an ERROR frame and a closed connection, and changes nothing else. */
@Timeout(60)
class LogServerBadInputTest {
    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();
    private EventLog log;
    private LogServer server;

    @BeforeEach
    void start() throws Exception {
        log = EventLog.open(config(directory, time));
        server = LogServer.start("logger", anyPort(), log);
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    @Test
    void shouldAnswerErrorAndCloseWhenFrameIsGarbage() throws Exception {
        assertRejected("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            "frame length=542393671, expected 1..2097152");
    }

    @Test
    void shouldAnswerErrorAndCloseWhenFrameIsOverTwoMebibytes() throws Exception {
        final byte[] header = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN)
            .putInt((2 << 20) + 1).put((byte) LogProtocol.HELLO).array();
        assertRejected(header, "frame length=2097153, expected 1..2097152");
        assertRejected(new byte[] {-1, -1, -1, -1, 1}, "frame length=4294967295, expected 1..2097152");
        assertRejected(new byte[4], "frame length=0, expected 1..2097152");
    }

    @Test
    void shouldAnswerErrorAndCloseWhenKindIsUnknown() throws Exception {
        assertRejected(RawConnection.frame(99, new byte[3]), "expected HELLO as the first frame, got unknown(99)");
        assertRejected(concat(hello(LogProtocol.ROLE_WRITER, "w"), RawConnection.frame(0, new byte[0])),
            "expected RECORD from a writer, got unknown(0)");
    }

    @Test
    void shouldAnswerErrorAndCloseWhenHelloIsBad() throws Exception {
        assertRejected(hello(3, "node"), "HELLO role=3, expected 1 (writer) or 2 (tail)");
        assertRejected(RawConnection.frame(LogProtocol.HELLO, new byte[] {1}),
            "HELLO nodeId length=0, expected 1..256");
        assertRejected(hello(LogProtocol.ROLE_WRITER, "n".repeat(257)), "HELLO nodeId length=257, expected 1..256");
        assertRejected(RawConnection.frame(LogProtocol.RECORD, new byte[30]),
            "expected HELLO as the first frame, got RECORD(3)");
    }

    @Test
    void shouldAnswerErrorAndAppendNothingWhenRecordIsCorrupt() throws Exception {
        final byte[] encoded = RawConnection.encode(
            new PrimaryRead(1, 0, 7, 0, "abcd".getBytes(StandardCharsets.US_ASCII)));
        encoded[38] ^= 0x10;
        assertRejected(concat(hello(LogProtocol.ROLE_WRITER, "w"), RawConnection.frame(LogProtocol.RECORD, encoded)),
            "corrupt record on the wire: crc=");

        final byte[] tapRecord = RawConnection.encode(Samples.data(1, 0, "tap"));
        assertRejected(concat(hello(LogProtocol.ROLE_WRITER, "w"), RawConnection.frame(LogProtocol.RECORD, tapRecord)),
            "RECORD holds a StreamData, expected a ShippedRecord");

        assertThat(log.lastIndex()).isEqualTo(-1);
        assertThat(server.stats().appended()).isZero();
    }

    @Test
    void shouldAnswerErrorWhenTailAsksForIndexBeyondTheLog() throws Exception {
        assertRejected(concat(hello(LogProtocol.ROLE_TAIL, "t"),
            RawConnection.frame(LogProtocol.TAIL, RawConnection.longs(0x1234_0000_0000L))), "is not in the event log");
        assertRejected(concat(hello(LogProtocol.ROLE_TAIL, "t"),
            RawConnection.frame(LogProtocol.TAIL, RawConnection.longs(-2))), "TAIL fromIndex=-2, expected -1");
        assertRejected(concat(hello(LogProtocol.ROLE_TAIL, "t"), RawConnection.frame(LogProtocol.TAIL, new byte[4])),
            "TAIL(6) body length=4, expected=8");
    }

    @Test
    void shouldServeGoodWriterWhenBadInputCameBefore() throws Exception {
        assertRejected("garbage!".getBytes(StandardCharsets.US_ASCII), "frame length=");
        assertRejected(RawConnection.frame(42, new byte[0]), "unknown(42)");

        try (LogShipper shipper = LogShipper.start("primary", server.address(), LARGE_BUFFER, RECONNECT_MS,
            () -> { })) {
            final List<PrimaryRead> shipped = LogShippingTest.shipReads(shipper, 0, 100);
            LogShippingTest.awaitAcked(shipper, shipped);

            assertThat(log.replay(1)).containsExactlyElementsOf(shipped);
            assertThat(shipper.stats().lastError()).isNull();
        }
        assertThat(server.stats().rejected()).isEqualTo(2);
        assertThat(server.stats().lastError()).contains("unknown(42)");
    }

    /** Sends the bytes on a new connection and expects one ERROR frame with the message, then the close. */
    private void assertRejected(final byte[] bytes, final String message) throws Exception {
        final long rejectedBefore = server.stats().rejected();
        try (RawConnection connection = new RawConnection(server.address())) {
            connection.sendRaw(bytes);
            RawConnection.Frame frame = connection.read();
            if (frame.kind() == LogProtocol.WELCOME) {
                frame = connection.read();
            }

            assertThat(frame.kind()).as("kind of the answer to %s", message).isEqualTo(LogProtocol.ERROR);
            assertThat(frame.text()).contains(message);
            assertThat(connection.isClosedByPeer()).isTrue();
        }
        assertThat(server.stats().rejected()).isEqualTo(rejectedBefore + 1);
        assertThat(server.stats().lastError()).contains(message);
    }

    private static byte[] hello(final int role, final String nodeId) {
        final byte[] id = nodeId.getBytes(StandardCharsets.UTF_8);
        final byte[] body = new byte[1 + id.length];
        body[0] = (byte) role;
        System.arraycopy(id, 0, body, 1, id.length);
        return RawConnection.frame(LogProtocol.HELLO, body);
    }

    private static byte[] concat(final byte[] first, final byte[] second) {
        final byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
