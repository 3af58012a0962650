package io.understudy.logger;

import static io.understudy.logger.Shipping.KEY;
import static io.understudy.logger.Shipping.LARGE_BUFFER;
import static io.understudy.logger.Shipping.RECONNECT_MS;
import static io.understudy.logger.Shipping.anyPort;
import static io.understudy.logger.Shipping.await;
import static io.understudy.logger.Shipping.read;
import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** LogShipper to LogServer to EventLog over real loopback sockets: acks, restarts, dedup, the buffer cap. */
@Timeout(120)
class LogShippingTest {
    private static final long CONNECTION = 1;

    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();

    @Test
    void shouldLogEveryRecordInOrderAndAckTheLastWhenTenThousandShipped() throws Exception {
        final AtomicLong acks = new AtomicLong();
        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                LogShipper shipper = LogShipper.start(
                        "primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, acks::incrementAndGet)) {
            final List<PrimaryRead> shipped = shipReads(shipper, 0, 10_000);
            final long lastSeq = shipped.get(shipped.size() - 1).seq();

            await("ackedSeq=" + lastSeq, () -> shipper.ackedSeq() == lastSeq, shipper::stats);

            assertThat(log.replay(CONNECTION)).containsExactlyElementsOf(shipped);
            assertThat(shipper.shippedSeq()).isEqualTo(lastSeq);
            assertThat(shipper.stats()).satisfies(stats -> {
                assertThat(stats.connected()).isTrue();
                assertThat(stats.shipped()).isEqualTo(10_000);
                assertThat(stats.acked()).isEqualTo(10_000);
                assertThat(stats.dropped()).isZero();
                assertThat(stats.bufferedRecords()).isZero();
                assertThat(stats.bufferedBytes()).isZero();
                assertThat(stats.lastAckNanoTime()).isNotZero();
                assertThat(stats.lastError()).isNull();
            });
            assertThat(acks.get()).isPositive();
            assertThat(server.stats()).satisfies(stats -> {
                assertThat(stats.appended()).isEqualTo(10_000);
                assertThat(stats.duplicatesDropped()).isZero();
                assertThat(stats.lastSeq()).isEqualTo(lastSeq);
                assertThat(stats.lastIndex()).isEqualTo(log.lastIndex());
                assertThat(stats.writersConnected()).isEqualTo(1);
            });
        }
    }

    /**
     * Ships 300 records and waits for their ACK, ships 200 more and stops the logger at once (some are in flight,
     * some appended but not acknowledged), ships 300 while it is away, then starts a new logger on the same
     * directory and port.
     */
    @Test
    void shouldLogEveryRecordExactlyOnceWhenLoggerRestartsWhileShipping() throws Exception {
        final List<PrimaryRead> shipped = new ArrayList<>();
        final EventLog firstLog = EventLog.open(config(directory, time));
        final LogServer firstServer = LogServer.start("logger", anyPort(), firstLog, KEY);
        final InetSocketAddress address = firstServer.address();
        try (LogShipper shipper = LogShipper.start("primary", address, KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
            shipped.addAll(shipReads(shipper, 0, 300));
            awaitAcked(shipper, shipped);
            shipped.addAll(shipReads(shipper, endOf(shipped), 200));
            firstServer.close();
            firstLog.close();
            await("the shipper to see the logger gone", () -> !shipper.stats().connected(), shipper::stats);
            shipped.addAll(shipReads(shipper, endOf(shipped), 300));
            assertThat(shipper.stats().bufferedRecords()).isGreaterThanOrEqualTo(300);

            try (EventLog log = EventLog.open(config(directory, time));
                    LogServer server = LogServer.start("logger", address, log, KEY)) {
                awaitAcked(shipper, shipped);

                assertExactlyOnceInOrder(log.replay(CONNECTION), shipped);
                assertThat(shipper.stats().connected()).isTrue();
                assertThat(shipper.stats().lastError()).contains("logger " + address);
                assertThat(shipper.stats().bufferedRecords()).isZero();
                assertThat(firstServer.stats().appended() + server.stats().appended())
                        .isEqualTo(800);
                assertThat(server.stats().lastSeq()).isEqualTo(shipped.get(799).seq());
            }
        } finally {
            firstServer.close();
            firstLog.close();
        }
    }

    @Test
    void shouldRecoverLastSeqFromTheLogWhenRestarted() throws Exception {
        final long lastShippedSeq;
        try (EventLog log = EventLog.open(config(directory, time))) {
            try (LogServer server = LogServer.start("logger", anyPort(), log, KEY)) {
                assertThat(server.stats().lastSeq()).isZero();
                try (LogShipper shipper =
                        LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
                    final List<PrimaryRead> shipped = shipReads(shipper, 0, 50);
                    awaitAcked(shipper, shipped);
                    lastShippedSeq = shipper.ackedSeq();
                }
            }
            log.append(Samples.opened(9)); // the backup's own records after the primary's: not shipped, no seq
            log.append(Samples.mapping(CONNECTION, 9));
        }

        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                RawConnection writer = new RawConnection(server.address())) {
            assertThat(server.stats().lastSeq()).isEqualTo(lastShippedSeq);
            assertThat(server.stats().lastIndex()).isEqualTo(log.lastIndex());
            assertThat(writer.writer("late-writer")).isEqualTo(lastShippedSeq);
        }
    }

    @Test
    void shouldDropAndCountResentRecordsWhenWriterResendsAckedSeqs() throws Exception {
        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY)) {
            final List<PrimaryRead> records = new ArrayList<>();
            for (int seq = 1; seq <= 6; seq++) {
                records.add(new PrimaryRead(CONNECTION, seq, seq, seq - 1, new byte[] {(byte) seq}));
            }
            try (RawConnection writer = new RawConnection(server.address())) {
                assertThat(writer.writer("raw")).isZero();
                for (int i = 0; i < 5; i++) {
                    writer.record(records.get(i));
                }
                awaitAckOf(writer, 5);
                writer.record(records.get(2))
                        .record(records.get(3))
                        .record(records.get(4))
                        .record(records.get(5));
                awaitAckOf(writer, 6);
            }
            await("the first writer's place to be free", () -> server.stats().writersConnected() == 0, server::stats);
            try (RawConnection again = new RawConnection(server.address())) {
                assertThat(again.writer("raw")).isEqualTo(6);
                for (final PrimaryRead record : records) {
                    again.record(record);
                }
                awaitAckOf(again, 6);
            }

            assertThat(log.replay(CONNECTION)).containsExactlyElementsOf(records);
            assertThat(server.stats().appended()).isEqualTo(6);
            assertThat(server.stats().duplicatesDropped()).isEqualTo(3 + 6);
            assertThat(server.stats().rejected()).isZero();
        }
    }

    @Test
    void shouldRefuseRecordsBeyondTheBufferAndDeliverTheRestWhenLoggerAppears() throws Exception {
        final InetSocketAddress address = Shipping.unusedPort();
        final int recordBytes = LogRecordCodec.PRIMARY_READ_MIN_LENGTH + 100;
        final List<PrimaryRead> accepted = new ArrayList<>();
        try (LogShipper shipper =
                LogShipper.start("primary", address, KEY, 10L * recordBytes, RECONNECT_MS, () -> {})) {
            PrimaryRead next = sized(shipper, 0);
            while (shipper.ship(next)) {
                accepted.add(next);
                next = sized(shipper, next.endOffset());
            }
            final PrimaryRead refused = next;
            assertThat(shipper.ship(sized(shipper, refused.endOffset()))).isFalse();

            assertThat(accepted).hasSize(10);
            assertThat(shipper.stats()).satisfies(stats -> {
                assertThat(stats.connected()).isFalse();
                assertThat(stats.dropped()).isEqualTo(2);
                assertThat(stats.shipped()).isEqualTo(10);
                assertThat(stats.bufferedRecords()).isEqualTo(10);
                assertThat(stats.bufferedBytes()).isEqualTo(10L * recordBytes);
            });
            assertThat(shipper.ackedSeq()).isZero();

            try (EventLog log = EventLog.open(config(directory, time));
                    LogServer server = LogServer.start("logger", address, log, KEY)) {
                awaitAcked(shipper, accepted);

                assertThat(log.replay(CONNECTION)).containsExactlyElementsOf(accepted);
                assertThat(shipper.stats().bufferedBytes()).isZero();
                assertThat(server.stats().appended()).isEqualTo(10);
            }
        }
    }

    @Test
    void shouldRefuseAndCountOutOfOrderSeqWithoutThrowingWhenShipped() throws Exception {
        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                LogShipper shipper =
                        LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
            final long first = shipper.nextSeq();
            final long second = shipper.nextSeq();
            assertThat(second).isGreaterThan(first).isGreaterThanOrEqualTo(LogShipper.firstSeq() - (1L << 30));

            assertThat(shipper.ship(new PrimaryWrite(CONNECTION, 0, second, 0, 1)))
                    .isTrue();
            assertThat(shipper.ship(new PrimaryWrite(CONNECTION, 0, first, 0, 1)))
                    .isFalse();
            assertThat(shipper.stats().dropped()).isEqualTo(1);
            assertThat(shipper.stats().lastError()).contains("seq=" + first).contains("out of order");
            assertThat(shipper.shippedSeq()).isEqualTo(second);
            await("ackedSeq=" + second, () -> shipper.ackedSeq() == second, shipper::stats);
            assertThat(log.replay(CONNECTION)).containsExactly(new PrimaryWrite(CONNECTION, 0, second, 0, 1));
        }
    }

    @Test
    void shouldLogABatchInItsOrderAndRefuseOnlyItsOutOfOrderRecordWhenShippedAtOnce() throws Exception {
        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                LogShipper shipper =
                        LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
            final long stale = shipper.nextSeq();
            final List<PrimaryRead> turn = new ArrayList<>();
            long offset = 0;
            for (int i = 0; i < 5; i++) {
                final PrimaryRead read = read(shipper, CONNECTION, offset, "turn-read-" + i + "\n");
                turn.add(read);
                offset = read.endOffset();
            }
            final List<ShippedRecord> batch = new ArrayList<>(turn.subList(0, 3));
            batch.add(new PrimaryWrite(CONNECTION, 0, stale, 0, 1)); // a seq below those before it
            batch.addAll(turn.subList(3, 5));

            assertThat(shipper.shipAll(batch)).as("queued").isEqualTo(5);
            assertThat(shipper.shipAll(List.of())).isZero();

            assertThat(shipper.stats().dropped()).isEqualTo(1);
            assertThat(shipper.stats().lastError()).contains("seq=" + stale).contains("out of order");
            awaitAcked(shipper, turn);
            assertThat(log.replay(CONNECTION)).containsExactlyElementsOf(turn);
        }
    }

    /**
     * A writer handing over one record every 100 us (a relay's turns): with a 5 ms linger the records go out many to
     * a write, all logged in order and acked; without one the sender writes each as it comes (the same pacing).
     */
    @Test
    void shouldCarryManyRecordsInOneWriteAndLogThemAllWhenTheSenderLingers() throws Exception {
        final long lingering = writesFor(5_000, 200);
        final long eager = writesFor(0, 200);
        assertThat(lingering)
                .as("writes with a 5 ms linger for 200 records 100 us apart")
                .isBetween(1L, 20L);
        assertThat(eager).as("writes without a linger").isGreaterThan(2 * lingering);
    }

    @Test
    void shouldRefuseALingerOutsideItsRangeWhenStarted() {
        final InetSocketAddress nowhere = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 9);
        assertThatThrownBy(() -> LogShipper.start(
                        "primary", nowhere, KEY, LARGE_BUFFER, RECONNECT_MS, LogShipper.MAX_LINGER_US + 1, () -> {}))
                .isInstanceOf(UnderstudyException.class)
                .hasMessageContaining("lingerUs");
        assertThatThrownBy(() -> LogShipper.start("primary", nowhere, KEY, LARGE_BUFFER, RECONNECT_MS, -1, () -> {}))
                .isInstanceOf(UnderstudyException.class)
                .hasMessageContaining("lingerUs");
    }

    /** Ships {@code count} reads 100 us apart through a shipper lingering {@code lingerUs}; returns its writes. */
    private long writesFor(final long lingerUs, final int count) throws Exception {
        final Path dir = directory.resolve("linger-" + lingerUs);
        try (EventLog log = EventLog.open(config(dir, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                LogShipper shipper = LogShipper.start(
                        "primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, lingerUs, () -> {})) {
            await("connected", () -> shipper.stats().connected(), shipper::stats);
            final List<PrimaryRead> shipped = new ArrayList<>();
            long offset = 0;
            for (int i = 0; i < count; i++) {
                final PrimaryRead read = read(shipper, CONNECTION, offset, "paced-" + i + "\n");
                assertThat(shipper.ship(read)).isTrue();
                shipped.add(read);
                offset = read.endOffset();
                final long until = System.nanoTime() + 100_000;
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
            }
            awaitAcked(shipper, shipped);
            assertThat(log.replay(CONNECTION)).containsExactlyElementsOf(shipped);
            assertThat(shipper.stats().acked()).isEqualTo(count);
            return shipper.stats().writes();
        }
    }

    private static PrimaryRead sized(final LogShipper shipper, final long offset) {
        final long seq = shipper.nextSeq();
        return new PrimaryRead(CONNECTION, seq, seq, offset, new byte[100]);
    }

    private static void awaitAckOf(final RawConnection writer, final long seq) throws Exception {
        for (RawConnection.Frame ack = writer.read(); ack.longAt(0) != seq; ack = writer.read()) {
            assertThat(ack.kind()).isEqualTo(LogProtocol.ACK);
        }
    }

    static void awaitAcked(final LogShipper shipper, final List<? extends ShippedRecord> shipped) {
        final long lastSeq = shipped.get(shipped.size() - 1).seq();
        await("ackedSeq=" + lastSeq, () -> shipper.ackedSeq() == lastSeq, shipper::stats);
    }

    private static void assertExactlyOnceInOrder(final List<LogRecord> logged, final List<PrimaryRead> shipped) {
        assertThat(logged).containsExactlyElementsOf(shipped);
        long offset = 0;
        long seq = 0;
        for (final LogRecord record : logged) {
            final PrimaryRead read = (PrimaryRead) record;
            assertThat(read.streamOffset()).as("offsets contiguous").isEqualTo(offset);
            assertThat(read.seq()).as("seqs strictly increasing").isGreaterThan(seq);
            offset = read.endOffset();
            seq = read.seq();
        }
    }

    private static long endOf(final List<PrimaryRead> shipped) {
        return shipped.get(shipped.size() - 1).endOffset();
    }

    static List<PrimaryRead> shipReads(final LogShipper shipper, final long fromOffset, final int count) {
        final List<PrimaryRead> shipped = new ArrayList<>();
        long offset = fromOffset;
        for (int i = 0; i < count; i++) {
            final PrimaryRead read = read(shipper, CONNECTION, offset, "read-" + i + "-at-" + offset + "\n");
            assertThat(shipper.ship(read)).as("ship %s", read).isTrue();
            shipped.add(read);
            offset = read.endOffset();
        }
        return shipped;
    }
}
