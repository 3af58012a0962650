package io.understudy.logger;

import static io.understudy.logger.Shipping.KEY;
import static io.understudy.logger.Shipping.RECONNECT_MS;
import static io.understudy.logger.Shipping.anyPort;
import static io.understudy.logger.Shipping.await;
import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LogServer whose log is on a real, small file system (an 8 MiB tmpfs mounted for the test, so it needs root)
 * that fills up while a shipper streams to it: the writer gets an ERROR saying so, the server keeps serving, and
 * nothing escapes the shipper's threads.
 */
@Tag("lab")
@Timeout(120)
class LogServerDiskFullTest {
    private static final int READ_BYTES = 64 * 1024;

    @TempDir
    Path mountPoint;

    private final SetTimeProvider time = TestLogs.clockAtStart();
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previousHandler;
    private Path directory;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        Tmpfs.mount(mountPoint, "understudy-logserver-disk-full-test", "size=8m");
        directory = mountPoint.resolve("events");
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, ex) -> uncaught.add(ex));
    }

    @AfterEach
    void unmount() throws Exception {
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        Tmpfs.unmount(mountPoint);
    }

    @Test
    void shouldSendWriterTheDiskErrorAndKeepServingWhenItsOwnFreeSpaceFloorIsReached() throws Exception {
        shipUntilRefused(config(directory, time).withMinFreeDiskBytes(3L << 20));
    }

    @Test
    void shouldSendWriterTheDiskErrorAndKeepServingWhenTheDiskFillsUnderTheMapping() throws Exception {
        shipUntilRefused(config(directory, time));
    }

    private void shipUntilRefused(final EventLogConfig config) throws Exception {
        try (EventLog log = EventLog.open(config);
                LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                LogShipper shipper =
                        LogShipper.start("primary", server.address(), KEY, 64L << 20, RECONNECT_MS, () -> {})) {
            long offset = 0;
            for (int i = 0; i < 200; i++) {
                final long seq = shipper.nextSeq();
                assertThat(shipper.ship(new PrimaryRead(1, i, seq, offset, new byte[READ_BYTES])))
                        .isTrue();
                offset += READ_BYTES;
            }

            await(
                    "the shipper to hear of the full disk",
                    () -> mentionsDisk(shipper.stats().lastError()),
                    shipper::stats);

            assertThat(server.stats().lastError()).containsIgnoringCase("disk");
            assertThat(server.stats().appended()).isPositive().isLessThan(200);
            assertThat(shipper.stats().ackedSeq()).isEqualTo(shipper.ackedSeq());
            assertThat(shipper.stats().bufferedRecords()).isPositive();
            try (RawConnection tail = new RawConnection(server.address())) {
                tail.handshake(KEY, LogProtocol.ROLE_TAIL, "still-there")
                        .send(LogProtocol.TAIL, RawConnection.longs(-1));
                final RawConnection.Frame entry = tail.read();
                assertThat(entry.kind()).isEqualTo(LogProtocol.ENTRY);
                assertThat(server.stats().lastSeq()).isPositive();
            }
            assertThat(shipper.ship(new PrimaryWrite(1, 0, shipper.nextSeq(), 0, 1)))
                    .isTrue();
        }
        assertThat(uncaught).isEmpty();
    }

    private static boolean mentionsDisk(final String error) {
        return error != null && error.toLowerCase(Locale.ROOT).contains("disk");
    }
}
