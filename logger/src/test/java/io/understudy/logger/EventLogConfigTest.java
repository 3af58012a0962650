package io.understudy.logger;

import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogConfigTest {
    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();

    @Test
    void shouldListValidNamesWhenRollCycleUnknown() {
        assertThatThrownBy(() -> EventLogConfig.of(directory).withRollCycle("HOURLYY"))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessageStartingWith("rollCycle=HOURLYY unknown, expected one of [FIVE_MINUTELY, ")
                .hasMessageContaining("FAST_HOURLY")
                .hasMessageContaining("FAST_DAILY")
                .hasMessageContaining(" HOURLY,")
                .hasMessageContaining(" DAILY,")
                .hasMessageContaining("TEST_SECONDLY");
    }

    @Test
    void shouldAcceptEveryListedNameWhenBuilt() {
        for (final String name : RollCycleNames.names()) {
            assertThat(EventLogConfig.of(directory).withRollCycle(name).rollCycle())
                    .isEqualTo(name);
        }
    }

    @Test
    void shouldRefuseWhenFieldsOutOfRange() {
        assertThatThrownBy(() -> EventLogConfig.of(directory).withRetainCycles(0))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("retainCycles=0, expected 1..2147483647");
        assertThatThrownBy(() -> EventLogConfig.of(directory).withMinFreeDiskBytes(-1))
                .hasMessage("minFreeDiskBytes=-1, expected 0..9223372036854775807");
        assertThatThrownBy(() -> EventLogConfig.of(null)).hasMessage("directory=null, expected a value");
        assertThatThrownBy(() -> EventLogConfig.of(directory).withRollCycle(null))
                .hasMessage("rollCycle=null, expected a value");
        assertThatThrownBy(() -> EventLogConfig.of(directory).withClock(null))
                .hasMessage("clock=null, expected a value");
    }

    @Test
    void shouldRefuseWhenDirectoryIsAFile() throws IOException {
        final Path file = Files.writeString(directory.resolve("events"), "a file");

        assertThatThrownBy(() -> EventLog.open(config(file, time)))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("event log directory=" + file + " is not a directory");
    }

    @Test
    void shouldRefuseWhenDirectoryCannotBeCreated() throws IOException {
        final Path file = Files.writeString(directory.resolve("plain-file"), "a file");
        final Path below = file.resolve("events");

        assertThatThrownBy(() -> EventLog.open(config(below, time)))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessageStartingWith("event log directory=" + below + " cannot be created: ");
    }

    @Test
    void shouldRefuseWhenDirectoryNotWritable() throws IOException {
        final Path readOnly = Files.createDirectory(directory.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeThat(Files.isWritable(readOnly))
                    .as("permissions bind (not root)")
                    .isFalse();

            assertThatThrownBy(() -> EventLog.open(config(readOnly, time)))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageStartingWith("event log directory=" + readOnly + " is not writable: ");
            assertThat(readOnly).isEmptyDirectory();
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void shouldRefuseAndTouchNothingWhenDirectoryHoldsForeignFiles() throws IOException {
        Files.writeString(directory.resolve("notes.txt"), "not a queue");

        assertThatThrownBy(() -> EventLog.open(config(directory, time)))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("event log directory=" + directory
                        + " is not an event log: it holds [notes.txt] but no metadata.cq4t");
        try (var entries = Files.list(directory)) {
            assertThat(entries).containsExactly(directory.resolve("notes.txt"));
        }
    }

    @Test
    void shouldRefuseQuicklyWhenMetadataIsNotChronicles() throws IOException {
        Files.writeString(directory.resolve("metadata.cq4t"), "{\"some\": \"other tool\"}");
        final Instant start = Instant.now();

        assertThatThrownBy(() -> EventLog.open(config(directory, time)))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("event log directory=" + directory + " is not an event log: "
                        + directory.resolve("metadata.cq4t")
                        + " is not a Chronicle Queue metadata file, bytes 4..11=6d65223a20226f74");
        // Chronicle itself would wait 10 s for a lock on such a file before failing.
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void shouldRefuseWhenRollCycleDiffersFromExistingLog() {
        try (EventLog log = EventLog.open(config(directory, time))) {
            log.append(Samples.opened(1));
        }

        assertThatThrownBy(() -> EventLog.open(config(directory, time).withRollCycle("FAST_DAILY")))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("event log directory=" + directory
                        + " was created with rollCycle=FAST_HOURLY, config rollCycle=FAST_DAILY");
        try (EventLog log = EventLog.open(config(directory, time))) {
            assertThat(log.replay(1)).containsExactly(Samples.opened(1));
        }
    }
}
