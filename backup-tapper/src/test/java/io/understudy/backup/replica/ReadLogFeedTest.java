package io.understudy.backup.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.takeover.Takeover;
import io.understudy.backup.track.Frames;
import io.understudy.backup.track.ListenerChain;
import io.understudy.backup.track.TapEventRecorder;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackedConnection;
import io.understudy.backup.track.TrackerConfig;
import io.understudy.backup.track.TrackerCounters;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogRecord;
import io.understudy.logger.PrimaryOpened;
import io.understudy.logger.PrimaryRead;
import io.understudy.logger.SequenceMapping;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tap and the primary's read log together: hand-built segments with holes where the tap "missed" frames, and
 * the primary's log records of the same connection, taken in as the log tail would deliver them.
 */
class ReadLogFeedTest {
    private static final long CLIENT_ISN = 1000;
    private static final long SERVER_ISN = 5000;
    private static final long PRIMARY_ID = 77;
    private static final int MAX_UNMATCHED = 3;
    private static final long MAX_UNMATCHED_BYTES = 1_000;

    @TempDir
    public Path dir;

    private EventLog eventLog;
    private ReadLogFeed feed;
    private TapEventRecorder recorder;
    private TcpTracker tracker;
    private final TrackerCounters counters = new TrackerCounters();
    private final ByteArrayOutputStream clientStream = new ByteArrayOutputStream();
    private long nowNs = 1_000_000_000L;
    private long seq = 1;

    @BeforeEach
    void setUp() {
        eventLog = EventLog.open(EventLogConfig.of(dir.resolve("events")));
        recorder = new TapEventRecorder("test", eventLog);
        feed = new ReadLogFeed("test", false, 1 << 20, MAX_UNMATCHED, MAX_UNMATCHED_BYTES);
        final TapListener recording = new TapListener() {
            @Override
            public void onData(
                    final TrackedConnection connection,
                    final boolean fromClient,
                    final long streamOffset,
                    final byte[] bytes,
                    final int offset,
                    final int length,
                    final long nowNs) {
                if (fromClient) {
                    clientStream.write(bytes, offset, length);
                }
            }
        };
        tracker = new TcpTracker(
                "test",
                TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)),
                new ListenerChain(new ListenerChain(recorder, recording), feed),
                counters,
                false);
        feed.attach(tracker.inbox(), recorder);
    }

    @AfterEach
    void tearDown() {
        recorder.close();
        eventLog.close();
    }

    @Test
    void shouldFillClientBytesTheTapMissedFromTheLogWhenThePrimaryAckedThem() {
        handshake();
        // The tap misses "GET a\n" (offset 0..6) and sees "GET b\n"; the primary acks all 12 bytes.
        feed(Frames.fromClient().seq(CLIENT_ISN + 7).ack(SERVER_ISN + 1).payload("GET b\n"));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 13));
        final TrackedConnection connection = only();
        assertThat(connection.client.nextOffset).as("contiguous before the log").isZero();
        assertThat(connection.client.ackedRaw).isEqualTo(12);

        log(new PrimaryOpened(
                PRIMARY_ID, 1, seq++, Frames.CLIENT, Frames.CLIENT_PORT, Frames.SERVER, Frames.SERVICE_PORT));
        log(new PrimaryRead(PRIMARY_ID, 2, seq++, 0, bytes("GET a\n")));
        log(new PrimaryRead(PRIMARY_ID, 3, seq++, 6, bytes("GET b\n")));
        work();

        assertThat(clientStream.toString(StandardCharsets.US_ASCII)).isEqualTo("GET a\nGET b\n");
        assertThat(connection.client.nextOffset).isEqualTo(12);
        assertThat(connection.client.ackedByPeer)
                .as("the primary's ack counts once the hole is filled")
                .isEqualTo(12);
        assertThat(connection.clientBytesAtPrimary()).isEqualTo(12);
        assertThat(counters.bytesFromLog).as("the log's bytes the tap lacked").isEqualTo(6);
    }

    @Test
    void shouldHandTheTrackerOneRepairPerConnectionHoweverManyReadsABurstBrings() {
        handshake();
        log(new PrimaryOpened(
                PRIMARY_ID, 1, seq++, Frames.CLIENT, Frames.CLIENT_PORT, Frames.SERVER, Frames.SERVICE_PORT));
        for (int i = 0; i < 1_000; i++) {
            log(new PrimaryRead(PRIMARY_ID, 2 + i, seq++, i * 6L, bytes("GET a\n")));
        }
        feed.doWork(nowNs);

        assertThat(tracker.drainInbox(nowNs))
                .as("one request for the connection, not one per read per record (a restarted backup's burst ran "
                        + "out of heap)")
                .isEqualTo(1);
        assertThat(only().client.nextOffset).as("every logged byte taken in").isEqualTo(6_000);
        assertThat(counters.bytesFromLog).isEqualTo(6_000);
    }

    @Test
    void shouldAppendSequenceMappingWithTheTapsIsnsWhenLogAndTapMatch() {
        handshake();
        log(new PrimaryOpened(
                PRIMARY_ID, 1, seq++, Frames.CLIENT, Frames.CLIENT_PORT, Frames.SERVER, Frames.SERVICE_PORT));
        work();
        recorder.close(); // its writer has appended what was queued

        final List<LogRecord> records = eventLog.replay(PRIMARY_ID);
        assertThat(records).hasSize(1);
        final SequenceMapping mapping = (SequenceMapping) records.get(0);
        assertThat(mapping.clientIsn()).isEqualTo(CLIENT_ISN);
        assertThat(mapping.serverIsn()).isEqualTo(SERVER_ISN);
        assertThat(mapping.tapConnectionId()).isEqualTo(only().id);
        assertThat(feed.matched()).isEqualTo(1);
    }

    @Test
    void shouldLeaveTheHoleAndReportWhyWhenNeitherTapNorLogHasTheAckedBytes() {
        handshake();
        feed(Frames.fromClient().seq(CLIENT_ISN + 7).ack(SERVER_ISN + 1).payload("GET b\n"));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 13));
        log(new PrimaryOpened(
                PRIMARY_ID, 1, seq++, Frames.CLIENT, Frames.CLIENT_PORT, Frames.SERVER, Frames.SERVICE_PORT));
        // The read of "GET a\n" never reached the log (dropped while the logger was away).
        log(new PrimaryRead(PRIMARY_ID, 3, seq++, 6, bytes("GET b\n")));
        work();

        final TrackedConnection connection = only();
        assertThat(connection.client.nextOffset).isZero();
        assertThat(connection.clientBytesAtPrimary())
                .as("nothing the replica could be given")
                .isZero();
        assertThat(Takeover.whyNot(connection))
                .contains("client bytes 0..12 were acked by the primary but are in neither the tap nor the read log")
                .contains("the read log misses client bytes 0..6");
    }

    @Test
    void shouldTrustTheLogsReadsWhenTheTapMissedThePrimarysAck() {
        handshake();
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("GET a\n"));
        log(new PrimaryOpened(
                PRIMARY_ID, 1, seq++, Frames.CLIENT, Frames.CLIENT_PORT, Frames.SERVER, Frames.SERVICE_PORT));
        log(new PrimaryRead(PRIMARY_ID, 2, seq++, 0, bytes("GET a\n")));
        work();

        final TrackedConnection connection = only();
        assertThat(connection.client.ackedByPeer).as("no ack seen").isZero();
        assertThat(connection.clientBytesAtPrimary())
                .as("the primary read them, so it had them")
                .isEqualTo(6);
    }

    @Test
    void shouldCompleteAHandshakeWhoseSynTheTapMissedWithTheOptionsFromTheLog() {
        // The client's SYN is lost to the tap; the SYN-ACK and the rest are seen.
        feed(Frames.synAck(CLIENT_ISN, SERVER_ISN));
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1));
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("GET a\n"));
        final TrackedConnection connection = only();
        assertThat(connection.announced).as("not announced on half a handshake").isFalse();

        log(new PrimaryOpened(
                PRIMARY_ID,
                1,
                seq++,
                Frames.CLIENT,
                Frames.CLIENT_PORT,
                Frames.SERVER,
                Frames.SERVICE_PORT,
                1448,
                7,
                9,
                true,
                true,
                true));
        log(new PrimaryRead(PRIMARY_ID, 2, seq++, 0, bytes("GET a\n")));
        work();

        assertThat(connection.announced).isTrue();
        assertThat(connection.handshakeSeen()).isTrue();
        assertThat(connection.isMidStream()).isFalse();
        assertThat(Integer.toUnsignedLong(connection.client.isn))
                .as("one before the client's base")
                .isEqualTo(CLIENT_ISN);
        assertThat(connection.client.windowScale).as("from the log").isEqualTo(7);
        assertThat(connection.server.windowScale)
                .as("from the SYN-ACK the tap saw")
                .isEqualTo(9);
        assertThat(connection.client.mss).isEqualTo(1448);
        assertThat(connection.windowScalingNegotiated()).isTrue();
        assertThat(connection.sackPermitted()).isTrue();
        assertThat(connection.timestampsNegotiated()).isTrue();
        assertThat(connection.logged).as("matched once announced").isNotNull();
        assertThat(connection.clientBytesAtPrimary()).isEqualTo(6);
    }

    @Test
    void shouldLeaveAHalfSeenHandshakeUnannouncedWhenTheLogDoesNotKnowTheOptions() {
        feed(Frames.synAck(CLIENT_ISN, SERVER_ISN));
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1));
        log(new PrimaryOpened(
                PRIMARY_ID, 1, seq++, Frames.CLIENT, Frames.CLIENT_PORT, Frames.SERVER, Frames.SERVICE_PORT));
        work();

        final TrackedConnection connection = only();
        assertThat(connection.announced).isFalse();
        assertThat(connection.isMidStream()).isTrue();
    }

    @Test
    void shouldDropTheOldestUnmatchedWhenLoggedConnectionsTheTapNeverSawExceedCountOrBytes() {
        handshake();
        log(new PrimaryOpened(
                PRIMARY_ID, 1, seq++, Frames.CLIENT, Frames.CLIENT_PORT, Frames.SERVER, Frames.SERVICE_PORT));
        log(new PrimaryRead(PRIMARY_ID, 2, seq++, 0, new byte[900]));
        for (int i = 1; i <= 5; i++) {
            log(new PrimaryOpened(
                    PRIMARY_ID + i,
                    1,
                    seq++,
                    Frames.CLIENT,
                    Frames.CLIENT_PORT + i,
                    Frames.SERVER,
                    Frames.SERVICE_PORT));
        }
        work();

        assertThat(feed.unmatchedCount()).isEqualTo(MAX_UNMATCHED);
        assertThat(feed.unmatchedDropped()).isEqualTo(2);
        assertThat(feed.all())
                .extracting(logged -> logged.primaryId)
                .containsExactlyInAnyOrder(PRIMARY_ID, PRIMARY_ID + 3, PRIMARY_ID + 4, PRIMARY_ID + 5);

        log(new PrimaryRead(PRIMARY_ID + 4, 2, seq++, 0, new byte[600]));
        log(new PrimaryRead(PRIMARY_ID + 5, 2, seq++, 0, new byte[600]));
        work();

        assertThat(feed.unmatchedDropped()).isEqualTo(4);
        assertThat(feed.unmatchedBytes()).isEqualTo(600);
        assertThat(feed.all())
                .extracting(logged -> logged.primaryId)
                .containsExactlyInAnyOrder(PRIMARY_ID, PRIMARY_ID + 5);
    }

    /** A turn of the capture thread: the feed takes in the log's records, then the tracker what the feed handed it. */
    private void work() {
        feed.doWork(nowNs);
        tracker.drainInbox(nowNs);
    }

    private void log(final LogRecord record) {
        feed.onRecord(0, record);
    }

    private TrackedConnection only() {
        final List<TrackedConnection> all = new java.util.ArrayList<>();
        tracker.connections().forEach(all::add);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private void handshake() {
        Frames.handshake(CLIENT_ISN, SERVER_ISN).forEach(this::feed);
    }

    private void feed(final Frames frames) {
        nowNs += 1_000_000;
        frames.feedTo(tracker, nowNs);
    }

    private static byte[] bytes(final String text) {
        return Frames.ascii(text);
    }
}
