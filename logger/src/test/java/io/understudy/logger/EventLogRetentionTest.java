package io.understudy.logger;

import static io.understudy.logger.TestLogs.config;
import static io.understudy.logger.TestLogs.cycleFiles;
import static io.understudy.logger.TestLogs.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogRetentionTest {
    private static final long CYCLE_MS = TimeUnit.MINUTES.toMillis(5);

    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();

    @Test
    void shouldDeleteOldCyclesWhenLogRolls() throws IOException {
        final List<LogRecord> retained = new ArrayList<>();
        try (EventLog log = EventLog.open(fiveMinutely(2))) {
            for (int cycle = 0; cycle < 5; cycle++) {
                final StreamData record = Samples.data(1, cycle, "cycle-" + cycle);
                log.append(record);
                assertThat(cycleFiles(directory)).hasSizeLessThanOrEqualTo(2);
                if (cycle >= 3) {
                    retained.add(record);
                }
                time.advanceMillis(CYCLE_MS);
            }

            assertThat(cycleFiles(directory)).containsExactly("20260105-0015V.cq4", "20260105-0020V.cq4");
            assertThat(log.replay(1)).containsExactlyElementsOf(retained);
        }
    }

    @Test
    void shouldDeleteExpiredCyclesWhenMaintenanceRunsWithoutAppends() throws IOException {
        try (EventLog log = EventLog.open(fiveMinutely(2))) {
            log.append(Samples.data(1, 0, "cycle-0"));
            time.advanceMillis(CYCLE_MS);
            log.append(Samples.data(1, 7, "cycle-1"));

            assertThat(log.deleteExpiredCycles()).isZero();
            time.advanceMillis(2 * CYCLE_MS); // cycle 3: the last two are 2 and 3, both without files
            assertThat(log.deleteExpiredCycles()).isEqualTo(2);
            assertThat(cycleFiles(directory)).isEmpty();

            final StreamData later = Samples.data(1, 14, "cycle-3");
            log.append(later);
            assertThat(log.replay(1)).containsExactly(later);
        }
    }

    @Test
    void shouldKeepRetainCyclesFilesWhenReopenedLater() throws IOException {
        try (EventLog log = EventLog.open(fiveMinutely(3))) {
            for (int cycle = 0; cycle < 3; cycle++) {
                log.append(Samples.data(1, cycle, "c" + cycle));
                time.advanceMillis(CYCLE_MS);
            }
        }
        time.advanceMillis(CYCLE_MS); // now cycle 4: cycles 0 and 1 are older than the last three

        try (EventLog log = EventLog.open(fiveMinutely(3))) {
            log.append(Samples.data(1, 3, "c4"));

            assertThat(cycleFiles(directory)).containsExactly("20260105-0010V.cq4", "20260105-0020V.cq4");
            assertThat(log.replay(1)).containsExactly(Samples.data(1, 2, "c2"), Samples.data(1, 3, "c4"));
        }
    }

    @Test
    void shouldRefuseReaderWhenItsIndexHasExpired() {
        try (EventLog log = EventLog.open(fiveMinutely(1))) {
            final long expired = log.append(Samples.data(1, 0, "old"));
            time.advanceMillis(CYCLE_MS);
            final long first = log.append(Samples.data(1, 3, "new"));

            assertThatThrownBy(() -> log.reader(expired))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessage("fromIndex=0x" + Long.toHexString(expired) + " has expired, firstIndex=0x"
                            + Long.toHexString(first));
        }
    }

    @Test
    void shouldReadAcrossRollWhenReaderStartsPastLastRecordOfACycle() {
        try (EventLog log = EventLog.open(fiveMinutely(10))) {
            final long last = log.append(Samples.data(1, 0, "first cycle"));
            time.advanceMillis(3 * CYCLE_MS);
            final long next = log.append(Samples.data(1, 11, "fourth cycle"));

            try (EventLog.Reader reader = log.reader(last + 1)) {
                assertThat(drain(reader)).containsExactly(Samples.data(1, 11, "fourth cycle"));
                assertThat(reader.lastReadIndex()).isEqualTo(next);
            }
        }
    }

    @Test
    void shouldKeepReadingWhenRetentionDeletesTheCycleBehindAReader() {
        try (EventLog log = EventLog.open(fiveMinutely(1));
                EventLog.Reader reader = log.reader()) {
            log.append(Samples.data(1, 0, "a"));
            log.append(Samples.data(1, 1, "b"));
            assertThat(reader.poll()).contains(Samples.data(1, 0, "a"));

            time.advanceMillis(CYCLE_MS);
            log.append(Samples.data(1, 2, "c"));

            assertThat(drain(reader)).containsExactly(Samples.data(1, 1, "b"), Samples.data(1, 2, "c"));
        }
    }

    private EventLogConfig fiveMinutely(final int retainCycles) {
        return config(directory, time).withRollCycle("FIVE_MINUTELY").withRetainCycles(retainCycles);
    }
}
