package io.understudy.logger;

import static io.understudy.logger.Shipping.KEY;
import static io.understudy.logger.Shipping.LARGE_BUFFER;
import static io.understudy.logger.Shipping.RECONNECT_MS;
import static io.understudy.logger.Shipping.anyPort;
import static io.understudy.logger.Shipping.await;
import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** LogTail over real sockets: old and new records in log order, shipped or appended in-process, across restarts. */
@Timeout(120)
class LogTailTest {
    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();

    /** What a sink saw: the index and the record. */
    private record Delivered(long index, LogRecord record) {}

    @Test
    void shouldDeliverOldAndNewRecordsInLogOrderWhenTailingFromTheStart() throws Exception {
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (EventLog log = EventLog.open(config(directory, time))) {
            log.append(Samples.opened(1));
            log.append(Samples.data(1, 0, "before the server"));
            try (LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                    LogTail tail = LogTail.start(
                            "backup",
                            server.address(),
                            KEY,
                            -1,
                            (index, record) -> delivered.add(new Delivered(index, record)),
                            RECONNECT_MS);
                    LogShipper shipper =
                            LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
                awaitDelivered(delivered, log, tail);
                final List<PrimaryRead> shipped = new ArrayList<>();
                for (int round = 0; round < 20; round++) {
                    shipped.addAll(LogShippingTest.shipReads(shipper, round * 1_000L, 5));
                    log.append(Samples.acked(1, round)); // in-process, between the shipped records
                }
                log.append(Samples.closed(1));
                LogShippingTest.awaitAcked(shipper, shipped);

                awaitDelivered(delivered, log, tail);

                assertThat(records(delivered)).hasSize(2 + 20 * 6 + 1);
                assertThat(tail.stats().connected()).isTrue();
                assertThat(tail.stats().lastError()).isNull();
                assertThat(server.stats().tailsConnected()).isEqualTo(1);
            }
        }
    }

    @Test
    void shouldDeliverOnlyThePrimarysRecordsInLogOrderWhenAskedAcrossARestart() throws Exception {
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (EventLog log = EventLog.open(config(directory, time))) {
            log.append(Samples.opened(1)); // the logger host's own tap: never sent to this tail
            final LogServer first = LogServer.start("logger", anyPort(), log, KEY);
            final InetSocketAddress address = first.address();
            final List<PrimaryRead> shipped = new ArrayList<>();
            try (LogTail tail = LogTail.start(
                            "backup",
                            address,
                            KEY,
                            -1,
                            true,
                            (index, record) -> delivered.add(new Delivered(index, record)),
                            RECONNECT_MS);
                    LogShipper shipper =
                            LogShipper.start("primary", address, KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
                for (int round = 0; round < 10; round++) {
                    shipped.addAll(LogShippingTest.shipReads(shipper, round * 1_000L, 3));
                    log.append(Samples.acked(1, round));
                    log.append(Samples.data(1, round, "tapped"));
                }
                LogShippingTest.awaitAcked(shipper, shipped);
                final long lastShipped = first.stats().lastIndex();
                await(
                        "the tail to reach the last shipped record",
                        () -> tail.stats().lastIndex() >= lastShipped,
                        tail::stats);
                first.close();
                await("the tail to see the logger gone", () -> !tail.stats().connected(), tail::stats);
                log.append(Samples.data(1, 99, "tapped while the logger was down"));

                try (LogServer second = LogServer.start("logger", address, log, KEY)) {
                    final List<PrimaryRead> more = LogShippingTest.shipReads(shipper, 50_000L, 3);
                    shipped.addAll(more);
                    LogShippingTest.awaitAcked(shipper, shipped);
                    log.append(Samples.closed(1));
                    final long last = second.stats().lastIndex();
                    await(
                            "the tail to reach the last shipped record again",
                            () -> tail.stats().lastIndex() >= last,
                            tail::stats);

                    assertThat(records(delivered))
                            .as("the shipped reads, each once, in order, nothing else")
                            .containsExactlyElementsOf(shipped);
                    assertThat(delivered.stream().mapToLong(Delivered::index))
                            .as("indexes rise, with gaps where the tap's records are")
                            .isSorted()
                            .doesNotHaveDuplicates();
                    assertThat(tail.stats().received()).isEqualTo(shipped.size());
                    assertThat(tail.stats().lastIndex()).isEqualTo(last);
                }
            } finally {
                first.close();
            }
        }
    }

    @Test
    void shouldResumeAfterTheLastDeliveredWhenServerRestarts() throws Exception {
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (EventLog log = EventLog.open(config(directory, time))) {
            for (int i = 0; i < 10; i++) {
                log.append(Samples.data(2, i, "x"));
            }
            final LogServer first = LogServer.start("logger", anyPort(), log, KEY);
            final InetSocketAddress address = first.address();
            try (LogTail tail = LogTail.start(
                    "backup",
                    address,
                    KEY,
                    -1,
                    (index, record) -> delivered.add(new Delivered(index, record)),
                    RECONNECT_MS)) {
                awaitDelivered(delivered, log, tail);
                first.close();
                await("the tail to see the logger gone", () -> !tail.stats().connected(), tail::stats);
                for (int i = 10; i < 20; i++) {
                    log.append(Samples.data(2, i, "y"));
                }

                try (LogServer second = LogServer.start("logger", address, log, KEY)) {
                    log.append(Samples.closed(2));
                    awaitDelivered(delivered, log, tail);

                    assertThat(records(delivered)).hasSize(21);
                    assertThat(tail.stats().received()).isEqualTo(21);
                    assertThat(tail.stats().lastError()).contains("logger " + address);
                    assertThat(second.stats().tailsConnected()).isEqualTo(1);
                }
            } finally {
                first.close();
            }
        }
    }

    @Test
    void shouldStartAtTheGivenIndexWhenTailingFromTheMiddle() throws Exception {
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY)) {
            long middle = -1;
            for (int i = 0; i < 10; i++) {
                final long index = log.append(Samples.data(3, i, "z"));
                middle = i == 6 ? index : middle;
            }
            try (LogTail tail = LogTail.start(
                    "backup",
                    server.address(),
                    KEY,
                    middle,
                    (index, record) -> delivered.add(new Delivered(index, record)),
                    RECONNECT_MS)) {
                await("4 records", () -> delivered.size() == 4, tail::stats);

                assertThat(delivered.get(0).index()).isEqualTo(middle);
                assertThat(delivered.get(0).record()).isEqualTo(Samples.data(3, 6, "z"));
            }
        }
    }

    /**
     * A backup's own logger keeps earlier sessions on disk, among them connections whose end was never logged: a
     * tail from {@link EventLog#indexFromNow()} taken before the logger starts gets only what the new primary ships,
     * also when the log rolled to a new cycle in between.
     */
    @Test
    void shouldDeliverOnlyTheNewSessionWhenTailingFromNow() throws Exception {
        final List<Delivered> delivered = new CopyOnWriteArrayList<>();
        try (EventLog log = EventLog.open(config(directory, time).withRollCycle("FIVE_MINUTELY"))) {
            assertThat(log.indexFromNow())
                    .as("an empty log: from its first record")
                    .isEqualTo(-1);
            log.append(Samples.opened(1));
            log.append(Samples.data(1, 0, "an earlier session's connection, never ended"));
            final long fromNow = log.indexFromNow();
            assertThat(fromNow).isEqualTo(log.lastIndex() + 1);
            time.advanceMillis(TimeUnit.MINUTES.toMillis(5)); // the next records start a new cycle
            try (LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                    LogShipper shipper =
                            LogShipper.start("primary", server.address(), KEY, LARGE_BUFFER, RECONNECT_MS, () -> {})) {
                final List<PrimaryRead> shipped = LogShippingTest.shipReads(shipper, 0, 3);
                LogShippingTest.awaitAcked(shipper, shipped);
                try (LogTail tail = LogTail.start(
                        "backup",
                        server.address(),
                        KEY,
                        fromNow,
                        true,
                        (index, record) -> delivered.add(new Delivered(index, record)),
                        RECONNECT_MS)) {
                    await("the 3 shipped reads", () -> delivered.size() == 3, tail::stats);

                    assertThat(records(delivered)).containsExactlyElementsOf(shipped);
                    assertThat(delivered.get(0).index()).isGreaterThan(fromNow);
                }
            }
        }
    }

    /**
     * Waits until the sink has every record the log holds now (the tail sets its lastIndex after the sink returns),
     * then checks it got them in order, each once.
     */
    private static void awaitDelivered(final List<Delivered> delivered, final EventLog log, final LogTail tail) {
        final long lastIndex = log.lastIndex();
        await("the tail to reach index " + lastIndex, () -> tail.stats().lastIndex() >= lastIndex, tail::stats);
        final List<Delivered> expected = new ArrayList<>();
        try (EventLog.Reader reader = log.reader()) {
            for (Optional<LogRecord> next = reader.poll(); next.isPresent(); next = reader.poll()) {
                expected.add(new Delivered(reader.lastReadIndex(), next.get()));
            }
        }
        assertThat(delivered).containsExactlyElementsOf(expected);
        assertThat(tail.stats().lastIndex()).isEqualTo(lastIndex);
    }

    private static List<LogRecord> records(final List<Delivered> delivered) {
        return delivered.stream().map(Delivered::record).toList();
    }
}
