package io.understudy.logger;

import static io.understudy.logger.TestLogs.config;
import static io.understudy.logger.TestLogs.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();

    @Test
    void shouldReadBackEveryRecordKindWhenAppended() {
        final List<LogRecord> records = Samples.everyKindAndEdge();
        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader reader = log.reader()) {
            final List<Long> indexes = new ArrayList<>();
            for (final LogRecord record : records) {
                indexes.add(log.append(record));
            }

            assertThat(drain(reader)).containsExactlyElementsOf(records);
            assertThat(indexes).isSorted().doesNotHaveDuplicates();
            assertThat(reader.lastReadIndex()).isEqualTo(log.lastIndex()).isEqualTo(indexes.get(indexes.size() - 1));
        }
    }

    @Test
    void shouldReportNothingWhenLogIsEmpty() {
        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader reader = log.reader()) {
            assertThat(log.lastIndex()).isEqualTo(-1);
            assertThat(reader.poll()).isEmpty();
            assertThat(reader.lastReadIndex()).isEqualTo(-1);
            assertThat(log.replay(1)).isEmpty();
        }
    }

    @Test
    void shouldReplayOneConnectionInOrderWhenConnectionsInterleave() {
        try (EventLog log = EventLog.open(config(directory, time))) {
            final List<LogRecord> expected = new ArrayList<>();
            for (long connection = 1; connection <= 3; connection++) {
                append(log, expected, connection, Samples.opened(connection));
            }
            for (int step = 0; step < 20; step++) {
                for (long connection = 1; connection <= 3; connection++) {
                    final String text = "r" + step + "c" + connection;
                    append(log, expected, connection, Samples.data(connection, step * 4L, text));
                    append(log, expected, connection, Samples.acked(connection, step * 4L + 4));
                }
            }
            append(log, expected, 2, Samples.closed(2));

            assertThat(log.replay(2)).containsExactlyElementsOf(expected);
            assertThat(log.replay(2)).first().isEqualTo(Samples.opened(2));
            assertThat(log.replay(2)).last().isEqualTo(Samples.closed(2));
            assertThat(log.replay(99)).isEmpty();
        }
    }

    @Test
    void shouldReplayPrimaryRecordsInLogOrderWhenInterleavedWithTapRecords() {
        final List<LogRecord> four = List.of(
                Samples.primaryOpened(4, 1),
                Samples.opened(4),
                Samples.mapping(4, 40),
                Samples.primaryRead(4, 3, 0, "GET /"),
                Samples.data(4, 0, "GET /"),
                Samples.primaryWrite(4, 5, 0, 200),
                Samples.maxLengthRead(4, 6),
                Samples.primaryEnded(4, 7, EndKind.CLIENT_FIN, 5),
                Samples.primaryEnded(4, 8, EndKind.CLOSED, -1));
        final List<LogRecord> five = List.of(Samples.primaryOpened(5, 2), Samples.primaryRead(5, 4, 0, "other"));
        try (EventLog log = EventLog.open(config(directory, time))) {
            for (int i = 0; i < four.size(); i++) {
                log.append(four.get(i));
                if (i < five.size()) {
                    log.append(five.get(i));
                }
            }

            assertThat(log.replay(4)).containsExactlyElementsOf(four);
            assertThat(log.replay(5)).containsExactlyElementsOf(five);
        }
    }

    @Test
    @Timeout(30)
    void shouldSeeAppendsWhenReaderPollsFromAnotherThread() throws Exception {
        final int count = 2_000;
        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader reader = log.reader()) {
            final List<LogRecord> seen = new CopyOnWriteArrayList<>();
            final CompletableFuture<Void> polling = CompletableFuture.runAsync(() -> {
                while (seen.size() < count) {
                    final Optional<LogRecord> next = reader.poll();
                    next.ifPresentOrElse(seen::add, Thread::onSpinWait);
                }
            });
            final List<LogRecord> appended = new ArrayList<>();
            CompletableFuture.runAsync(() -> {
                        for (int i = 0; i < count; i++) {
                            final LogRecord record = Samples.data(7, i, "chunk-" + i);
                            log.append(record);
                            appended.add(record);
                        }
                    })
                    .get(20, TimeUnit.SECONDS);

            polling.get(20, TimeUnit.SECONDS);
            assertThat(seen).containsExactlyElementsOf(appended);
            assertThat(reader.lastReadIndex()).isEqualTo(log.lastIndex());
        }
    }

    @Test
    void shouldContinueIndexesWhenReopenedAfterClose() {
        final List<LogRecord> all = new ArrayList<>();
        final long lastBeforeClose;
        try (EventLog log = EventLog.open(config(directory, time))) {
            all.add(Samples.opened(1));
            all.add(Samples.data(1, 0, "before"));
            all.forEach(log::append);
            lastBeforeClose = log.lastIndex();
        }
        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader reader = log.reader()) {
            assertThat(log.lastIndex()).isEqualTo(lastBeforeClose);
            final LogRecord after = Samples.data(1, 6, "after");
            all.add(after);

            assertThat(log.append(after)).isGreaterThan(lastBeforeClose);
            assertThat(drain(reader)).containsExactlyElementsOf(all);
        }
    }

    @Test
    void shouldStartAtIndexWhenReaderGivenOne() {
        try (EventLog log = EventLog.open(config(directory, time))) {
            log.append(Samples.data(1, 0, "zero"));
            final long second = log.append(Samples.data(1, 4, "one"));
            log.append(Samples.data(1, 7, "two"));

            try (EventLog.Reader fromSecond = log.reader(second);
                    EventLog.Reader fromEnd = log.reader(log.lastIndex() + 1)) {
                assertThat(drain(fromSecond)).containsExactly(Samples.data(1, 4, "one"), Samples.data(1, 7, "two"));
                assertThat(fromEnd.poll()).isEmpty();

                log.append(Samples.data(1, 10, "three"));
                assertThat(drain(fromEnd)).containsExactly(Samples.data(1, 10, "three"));
            }
        }
    }

    @Test
    void shouldRefuseReaderWhenIndexBeyondEnd() {
        try (EventLog log = EventLog.open(config(directory, time))) {
            final long index = log.append(Samples.opened(1));

            assertThatThrownBy(() -> log.reader(index + 2))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessage("fromIndex=0x" + Long.toHexString(index + 2)
                            + " is beyond the end of the event log, lastIndex=0x" + Long.toHexString(index));
        }
    }

    @Test
    void shouldSeeFirstAppendsWhenReaderStartedOnEmptyLog() {
        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader fromStart = log.reader();
                EventLog.Reader fromZero = log.reader(0)) {
            assertThat(fromStart.poll()).isEmpty();
            assertThatThrownBy(() -> log.reader(5))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessage("fromIndex=0x5 is not in the event log: it is empty");

            log.append(Samples.opened(1));

            assertThat(drain(fromStart)).containsExactly(Samples.opened(1));
            assertThat(drain(fromZero)).containsExactly(Samples.opened(1));
        }
    }

    @Test
    void shouldRefuseEveryUseWhenClosed() {
        final EventLog log = EventLog.open(config(directory, time));
        final EventLog.Reader reader = log.reader();
        log.close();
        log.close();

        assertThatThrownBy(() -> log.append(Samples.opened(1)))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("event log directory=" + directory + " is closed");
        assertThatThrownBy(log::lastIndex).hasMessageEndingWith(" is closed");
        assertThatThrownBy(() -> log.replay(1)).hasMessageEndingWith(" is closed");
        assertThatThrownBy(reader::poll)
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("event log reader on " + directory + " is closed");
    }

    @Test
    void shouldRefuseAppendAndWriteNothingWhenDiskBelowFloor() {
        try (EventLog log = EventLog.open(config(directory, time).withMinFreeDiskBytes(Long.MAX_VALUE / 2))) {
            assertThatThrownBy(() -> log.append(Samples.opened(1)))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageContaining("event log directory=" + directory + " disk full: usableDiskBytes=")
                    .hasMessageContaining("minFreeDiskBytes=4611686018427387903 + length=56");
            assertThat(log.lastIndex()).isEqualTo(-1);
        }
    }

    private static void append(
            final EventLog log, final List<LogRecord> expected, final long connection, final LogRecord record) {
        log.append(record);
        if (connection == 2) {
            expected.add(record);
        }
    }
}
