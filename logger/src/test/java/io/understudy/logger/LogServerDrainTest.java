package io.understudy.logger;

import static io.understudy.logger.Shipping.KEY;
import static io.understudy.logger.Shipping.anyPort;
import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup about to take over drains its logger: every record the primary's connection delivered to this host is in
 * the log when {@link LogServer#awaitWriterDrained(long)} says so, however far behind the logger was.
 */
@Timeout(60)
class LogServerDrainTest {
    private static final long CONNECTION = 1;
    private static final int RECORDS = 30_000;

    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();

    @Test
    void shouldHaveAppendedEveryDeliveredRecordWhenDrainedAfterABurst() throws Exception {
        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                RawConnection primary = new RawConnection(server.address())) {
            assertThat(primary.writer("primary")).isZero();
            for (int seq = 1; seq <= RECORDS; seq++) {
                primary.record(new PrimaryRead(CONNECTION, seq, seq, seq - 1L, new byte[] {(byte) seq}));
            }
            // The primary is gone now (it sends nothing more); what it sent is in this host's socket or appended.

            assertThat(server.awaitWriterDrained(30_000)).isTrue();

            assertThat(server.stats().appended()).isEqualTo(RECORDS);
            assertThat(server.stats().lastSeq()).isEqualTo(RECORDS);
            assertThat(log.replay(CONNECTION)).hasSize(RECORDS);
            assertThat(server.stats().writersConnected()).isEqualTo(1);
        }
    }

    @Test
    void shouldBeDrainedWhenTheWriterStoppedInTheMiddleOfAFrame() throws Exception {
        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY);
                RawConnection primary = new RawConnection(server.address())) {
            assertThat(primary.writer("primary")).isZero();
            primary.record(new PrimaryRead(CONNECTION, 1, 1, 0, new byte[] {1}));
            final byte[] next = primary.sealed(
                    LogProtocol.RECORD, RawConnection.encode(new PrimaryRead(CONNECTION, 2, 2, 1, new byte[] {2})));
            // A host that died with half a frame sent: the rest never comes, and the logger's frame timeout is 5 s.
            primary.sendRaw(java.util.Arrays.copyOf(next, next.length / 2));

            assertThat(server.awaitWriterDrained(4_000))
                    .as("drained before the frame timeout: nothing more can come")
                    .isTrue();
            assertThat(server.stats().appended()).isEqualTo(1);
        }
    }

    @Test
    void shouldBeDrainedAtOnceWhenNoWriterIsConnected() throws Exception {
        try (EventLog log = EventLog.open(config(directory, time));
                LogServer server = LogServer.start("logger", anyPort(), log, KEY)) {
            assertThat(server.awaitWriterDrained(0)).isTrue();
            assertThat(server.stats().appended()).isZero();
        }
    }
}
