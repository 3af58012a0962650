package io.understudy.logger;

import static io.understudy.logger.TestLogs.config;
import static io.understudy.logger.TestLogs.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log on a real, small file system (an 8 MiB tmpfs mounted for the test, so it needs root) that fills up.
 * Chronicle writes through memory-mapped files: a write the disk cannot hold faults (SIGBUS), which the JVM turns
 * into an InternalError. The log must turn either that or its own free-space check into an UnderstudyException,
 * keep the JVM alive, and keep every record it acknowledged.
 */
@Tag("lab")
@Timeout(120)
class EventLogDiskFullTest {
    private static final int RECORD_BYTES = 64 * 1024;

    @TempDir
    Path mountPoint;

    private final SetTimeProvider time = TestLogs.clockAtStart();
    private Path directory;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        Tmpfs.mount(mountPoint, "understudy-disk-full-test", "size=8m");
        directory = mountPoint.resolve("events");
    }

    @AfterEach
    void unmount() throws Exception {
        Tmpfs.unmount(mountPoint);
    }

    @Test
    void shouldRefuseAppendAndKeepAcknowledgedRecordsWhenItsOwnWritesFillTheDisk() throws IOException {
        final List<LogRecord> acknowledged = new ArrayList<>();
        try (EventLog log = EventLog.open(config(directory, time))) {
            assertThatThrownBy(() -> appendUntilRefused(log, acknowledged))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageContaining("event log directory=" + directory);
        }

        assertThat(acknowledged).hasSizeGreaterThan(10);
        assertReadableAfterReopen(acknowledged);
    }

    @Test
    void shouldFailCleanlyAndKeepAcknowledgedRecordsWhenAnotherWriterFillsTheDisk() throws IOException {
        final List<LogRecord> acknowledged = new ArrayList<>();
        final Path filler = mountPoint.resolve("filler");
        try (EventLog log = EventLog.open(config(directory, time))) {
            append(log, acknowledged, 0); // checks free space now; the next check is a megabyte of appends away
            fillDisk(filler);

            assertThatThrownBy(() -> appendUntilRefused(log, acknowledged))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageContaining("event log directory=" + directory);
            assertThatThrownBy(() -> append(log, acknowledged, 999))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageContaining("event log directory=" + directory);
        }
        Files.delete(filler);

        assertReadableAfterReopen(acknowledged);
    }

    private void assertReadableAfterReopen(final List<LogRecord> acknowledged) {
        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader reader = log.reader()) {
            assertThat(drain(reader)).containsExactlyElementsOf(acknowledged);
        }
    }

    private static void appendUntilRefused(final EventLog log, final List<LogRecord> acknowledged) {
        for (int i = 1; i < 1_000; i++) {
            append(log, acknowledged, i);
        }
        fail("8 MiB disk took 1000 appends of 64 KiB");
    }

    private static void append(final EventLog log, final List<LogRecord> acknowledged, final int sequence) {
        final byte[] bytes = new byte[RECORD_BYTES];
        bytes[0] = (byte) sequence;
        final LogRecord record =
                new StreamData(1, sequence, Direction.SERVER_TO_CLIENT, (long) sequence * RECORD_BYTES, bytes);
        log.append(record);
        acknowledged.add(record);
    }

    private static void fillDisk(final Path filler) throws IOException {
        final byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (final IOException expected) {
            // ENOSPC: the disk is full.
        }
        assertThat(filler.toFile().getUsableSpace()).isLessThan(4096);
    }
}
