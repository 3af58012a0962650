package io.understudy.logger;

import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory no one may write, even root: a read-only tmpfs mounted for the test (needs root). Permission bits
 * would not do, root ignores them; the log proves writability by writing a file.
 */
@Tag("lab")
@Timeout(60)
class EventLogReadOnlyDiskTest {
    @TempDir
    Path mountPoint;

    @BeforeEach
    void mountReadOnlyDisk() throws Exception {
        Tmpfs.mount(mountPoint, "understudy-read-only-test", "ro,size=1m");
    }

    @AfterEach
    void unmount() throws Exception {
        Tmpfs.unmount(mountPoint);
    }

    @Test
    void shouldRefuseWithPathWhenDirectoryIsOnReadOnlyDisk() {
        assertThatThrownBy(() -> EventLog.open(config(mountPoint, TestLogs.clockAtStart())))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessageStartingWith("event log directory=" + mountPoint + " is not writable: ")
                .hasMessageContaining("Read-only file system");
    }

    @Test
    void shouldRefuseWithPathWhenDirectoryCannotBeCreatedOnReadOnlyDisk() {
        final Path below = mountPoint.resolve("events");

        assertThatThrownBy(() -> EventLog.open(config(below, TestLogs.clockAtStart())))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessageStartingWith("event log directory=" + below + " cannot be created: ");
    }
}
