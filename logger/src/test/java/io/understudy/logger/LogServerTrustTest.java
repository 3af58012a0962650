package io.understudy.logger;

import static io.understudy.logger.Shipping.KEY;
import static io.understudy.logger.Shipping.LARGE_BUFFER;
import static io.understudy.logger.Shipping.OTHER_KEY;
import static io.understudy.logger.Shipping.RECONNECT_MS;
import static io.understudy.logger.Shipping.anyPort;
import static io.understudy.logger.Shipping.await;
import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may write and read the log: only peers that prove the key, one writer at a time, with contiguous seqs; a
 * stranger (the right wire format, no or another key) gets no ACK, appends nothing and reads nothing.
 */
@Timeout(60)
class LogServerTrustTest {
    private static final long CONNECTION = 1;
    private static final long WRITER_SILENCE_MS = 1_000;

    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();
    private EventLog log;
    private LogServer server;

    @BeforeEach
    void start() throws Exception {
        log = EventLog.open(config(directory, time));
        server = LogServer.start(
                "logger", anyPort(), log, KEY, new LogServerLimits(16, 2_000, 2_000, WRITER_SILENCE_MS, 60_000));
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    @Test
    void shouldAckAndAppendNothingWhenStrangerWriterHasNoOrAnotherKey() throws Exception {
        try (RawConnection stranger = new RawConnection(server.address())) {
            assertThatThrownBy(() -> stranger.handshake(OTHER_KEY, LogProtocol.ROLE_WRITER, "primary"))
                    .hasMessageContaining("PROOF from primary does not verify");
        }
        try (RawConnection stranger = new RawConnection(server.address())) {
            assertThatThrownBy(() -> stranger.handshake(LogAuth.INSECURE, LogProtocol.ROLE_WRITER, "primary"))
                    .hasMessageContaining("HELLO auth=none, this logger auth=HMAC-SHA256");
        }
        try (RawConnection blaster = new RawConnection(server.address())) {
            // The whole conversation at once, without waiting for the CHALLENGE: a guessed proof and a record.
            final byte[] hello = LogHandshake.hello(LogProtocol.ROLE_WRITER, KEY, new byte[] {'p'}, new byte[32]);
            blaster.sendRaw(hello)
                    .sendRaw(new byte[LogHandshake.PROOF_BYTES])
                    .send(
                            LogProtocol.RECORD,
                            RawConnection.encode(new PrimaryRead(CONNECTION, 0, Long.MAX_VALUE, 0, new byte[] {1})));
            final byte[] challenge = new byte[LogHandshake.CHALLENGE_LENGTH];
            LogHandshake.readFully(
                    blaster.socket(),
                    challenge,
                    0,
                    challenge.length,
                    System.nanoTime() + Shipping.AWAIT.toNanos(),
                    "CHALLENGE");
            final RawConnection.Frame answer = blaster.read();
            assertThat(answer.kind()).isEqualTo(LogProtocol.ERROR);
            assertThat(answer.text()).contains("does not verify");
            assertThat(blaster.isClosedByPeer()).isTrue();
        }
        try (LogShipper stranger =
                LogShipper.start("primary", server.address(), OTHER_KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
            LogShippingTest.shipReads(stranger, 0, 10);
            await(
                    "the stranger to be refused",
                    () -> String.valueOf(stranger.stats().lastError()).contains("does not verify"),
                    stranger::stats);
            assertThat(stranger.ackedSeq()).isZero();
            assertThat(stranger.stats().connected()).isFalse();
        }
        assertThat(log.lastIndex()).isEqualTo(-1);
        assertThat(server.stats().appended()).isZero();
        assertThat(server.stats().lastSeq()).isZero();
        assertThat(server.stats().authFailures()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void shouldReadNothingWhenStrangerTailHasNoOrAnotherKey() throws Exception {
        try (LogShipper shipper =
                LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
            LogShippingTest.awaitAcked(shipper, LogShippingTest.shipReads(shipper, 0, 20));
        }
        final List<LogRecord> strangerGot = new CopyOnWriteArrayList<>();
        try (LogTail other = LogTail.start(
                        "stranger",
                        server.address(),
                        OTHER_KEY,
                        -1,
                        (index, record) -> strangerGot.add(record),
                        RECONNECT_MS);
                LogTail none = LogTail.start(
                        "stranger",
                        server.address(),
                        LogAuth.INSECURE,
                        -1,
                        (index, record) -> strangerGot.add(record),
                        RECONNECT_MS)) {
            await(
                    "both strangers refused",
                    () -> String.valueOf(other.stats().lastError()).contains("does not verify")
                            && String.valueOf(none.stats().lastError()).contains("HELLO auth=none"),
                    () -> List.of(other.stats(), none.stats()));
        }
        assertThat(strangerGot).isEmpty();
        assertThat(server.stats().tailsConnected()).isZero();
    }

    @Test
    void shouldRefuseSecondWriterAndBothLogItWhenFirstIsConnected() throws Exception {
        try (LogShipper primary =
                LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
            final List<PrimaryRead> shipped = LogShippingTest.shipReads(primary, 0, 10);
            LogShippingTest.awaitAcked(primary, shipped);
            try (LogShipper second =
                    LogShipper.start("second", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
                final long seq = second.nextSeq();
                second.ship(new PrimaryRead(2, 0, seq, 0, new byte[] {9}));
                await("the second writer refused", () -> server.stats().writersRefused() >= 2, server::stats);
                assertThat(second.stats().lastError())
                        .contains("writer second@")
                        .contains("refused: writer primary@");
                assertThat(second.stats().connected()).isFalse();
                assertThat(second.ackedSeq()).isZero();
                assertThat(server.stats().lastError()).contains("refused: writer primary@");

                final List<PrimaryRead> more =
                        LogShippingTest.shipReads(primary, shipped.get(9).endOffset(), 10);
                LogShippingTest.awaitAcked(primary, more);
                assertThat(primary.stats().lastError()).isNull();
            }
            assertThat(log.replay(2)).isEmpty();
            assertThat(server.stats().appended()).isEqualTo(20);
        }
    }

    @Test
    void shouldGiveThePlaceToTheNextWriterWhenTheFirstFallsSilent() throws Exception {
        try (RawConnection deadPrimary = new RawConnection(server.address())) {
            deadPrimary.writer("primary"); // then says nothing, as a primary whose host died
            try (LogShipper next =
                    LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
                final List<PrimaryRead> shipped = LogShippingTest.shipReads(next, 0, 10);
                LogShippingTest.awaitAcked(next, shipped);

                assertThat(deadPrimary.isClosedByPeer()).isTrue();
                assertThat(log.replay(CONNECTION)).containsExactlyElementsOf(shipped);
                assertThat(server.stats().writersRefused()).isPositive();
            }
        }
    }

    @Test
    void shouldRefuseSeqJumpWithoutAckAndStillDropResendsWhenWriterSkipsSeqs() throws Exception {
        final PrimaryRead first = read(1, 0);
        final PrimaryRead second = read(2, 1);
        final PrimaryRead third = read(3, 2);
        try (RawConnection writer = new RawConnection(server.address())) {
            assertThat(writer.writer("raw")).isZero();
            writer.record(first).record(second);
            awaitAckOf(writer, 2);
            writer.record(read(5, 3));
            final RawConnection.Frame refused = writer.read();
            assertThat(refused.kind()).isEqualTo(LogProtocol.ERROR);
            assertThat(refused.text()).contains("seq jump: seq=5, expected=3 (lastSeq=2)");
            assertThat(writer.isClosedByPeer()).isTrue();
        }
        awaitNoWriter();
        try (RawConnection writer = new RawConnection(server.address())) {
            assertThat(writer.writer("raw")).isEqualTo(2);
            writer.send(LogProtocol.GAP, RawConnection.longs(Long.MAX_VALUE));
            final RawConnection.Frame refused = writer.read();
            assertThat(refused.kind()).isEqualTo(LogProtocol.ERROR);
            assertThat(refused.text()).contains("GAP nextSeq=9223372036854775807, expected 3..");
        }
        awaitNoWriter();
        try (RawConnection writer = new RawConnection(server.address())) {
            assertThat(writer.writer("raw")).isEqualTo(2);
            writer.record(first).record(second).record(third);
            awaitAckOf(writer, 3);
            writer.send(LogProtocol.GAP, RawConnection.longs(10)).record(read(10, 3));
            awaitAckOf(writer, 10);
        }
        assertThat(log.replay(CONNECTION)).containsExactly(first, second, third, read(10, 3));
        assertThat(server.stats().duplicatesDropped()).isEqualTo(2);
        assertThat(server.stats().seqJumpsRefused()).isEqualTo(2);
        assertThat(server.stats().lastSeq()).isEqualTo(10);
    }

    @Test
    void shouldShipAndTailAsBeforeWhenEverySideRunsInsecure() throws Exception {
        try (EventLog insecureLog = EventLog.open(config(directory.resolve("insecure"), time));
                LogServer insecure = LogServer.start("logger", anyPort(), insecureLog, LogAuth.INSECURE);
                LogShipper shipper = LogShipper.start(
                        "primary", insecure.address(), LogAuth.INSECURE, LARGE_BUFFER, RECONNECT_MS, () -> {});
                LogShipper keyed =
                        LogShipper.start("keyed", insecure.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
            final List<LogRecord> tailed = new CopyOnWriteArrayList<>();
            try (LogTail tail = LogTail.start(
                    "backup",
                    insecure.address(),
                    LogAuth.INSECURE,
                    -1,
                    (index, record) -> tailed.add(record),
                    RECONNECT_MS)) {
                final List<PrimaryRead> shipped = LogShippingTest.shipReads(shipper, 0, 50);
                LogShippingTest.awaitAcked(shipper, shipped);
                await("the tail to get all", () -> tailed.size() == 50, tail::stats);
                assertThat(tailed).containsExactlyElementsOf(shipped);
            }
            await(
                    "a keyed writer to refuse the insecure logger",
                    () -> String.valueOf(keyed.stats().lastError())
                            .contains("HELLO auth=HMAC-SHA256, this logger auth=none"),
                    keyed::stats);
        }
    }

    private static PrimaryRead read(final long seq, final long offset) {
        return new PrimaryRead(CONNECTION, seq, seq, offset, new byte[] {(byte) seq});
    }

    private void awaitNoWriter() {
        await("no writer connected", () -> server.stats().writersConnected() == 0, server::stats);
    }

    private static void awaitAckOf(final RawConnection writer, final long seq) throws Exception {
        for (RawConnection.Frame ack = writer.read(); ack.longAt(0) != seq; ack = writer.read()) {
            assertThat(ack.kind()).isEqualTo(LogProtocol.ACK);
        }
    }
}
