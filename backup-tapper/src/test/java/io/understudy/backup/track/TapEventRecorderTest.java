package io.understudy.backup.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.capture.DecodeResult;
import io.understudy.backup.capture.FrameDecoder;
import io.understudy.logger.CloseReason;
import io.understudy.logger.ConnectionClosed;
import io.understudy.logger.ConnectionOpened;
import io.understudy.logger.Direction;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogRecord;
import io.understudy.logger.StreamAcked;
import io.understudy.logger.StreamData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker's events through the recorder into a real Chronicle event log, and back out by replay.
 */
class TapEventRecorderTest {
    @TempDir
    public Path directory;

    @Test
    void shouldReplayOpenDataAcksAndCloseInOrderWhenConnectionIsTapped() {
        final long firstId = 7L << 16;
        try (EventLog log = EventLog.open(EventLogConfig.of(directory.resolve("events")))) {
            final TapEventRecorder recorder = new TapEventRecorder("test", log);
            final TcpTracker tracker = new TcpTracker(
                    "test",
                    TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)),
                    recorder,
                    new TrackerCounters(),
                    false,
                    firstId);
            final FrameDecoder decoder = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true);
            final TcpSegment segment = new TcpSegment();
            final List<Frames> frames = List.of(
                    Frames.fromClient().seq(100).flags(TcpSegment.SYN).synOptions(1460, 7, 1, 0),
                    Frames.fromServer()
                            .seq(900)
                            .ack(101)
                            .flags(TcpSegment.SYN | TcpSegment.ACK)
                            .synOptions(1400, 9, 2, 1),
                    Frames.fromClient().seq(101).ack(901).payload("INCR a\n"),
                    Frames.fromServer().seq(901).ack(108).payload("1 1\n"),
                    Frames.fromClient().seq(108).ack(905),
                    Frames.fromServer().seq(905).flags(TcpSegment.RST));
            long nowNs = 0;
            for (final Frames frame : frames) {
                final byte[] bytes = frame.build();
                assertThat(decoder.decode(bytes, bytes.length, bytes.length, segment))
                        .isEqualTo(DecodeResult.TCP);
                tracker.onSegment(segment, nowNs += 1000);
            }

            recorder.close(); // the writer has appended everything queued
            final List<LogRecord> replayed = log.replay(firstId);

            assertThat(replayed)
                    .containsExactly(
                            new ConnectionOpened(
                                    firstId,
                                    2000,
                                    Frames.CLIENT,
                                    Frames.CLIENT_PORT,
                                    Frames.SERVER,
                                    Frames.SERVICE_PORT,
                                    true,
                                    100,
                                    900,
                                    1460,
                                    7,
                                    9,
                                    true,
                                    true),
                            new StreamData(firstId, 3000, Direction.CLIENT_TO_SERVER, 0, bytes("INCR a\n")),
                            new StreamData(firstId, 4000, Direction.SERVER_TO_CLIENT, 0, bytes("1 1\n")),
                            new StreamAcked(firstId, 4000, Direction.CLIENT_TO_SERVER, 7, 108, 502L << 9),
                            new StreamAcked(firstId, 5000, Direction.SERVER_TO_CLIENT, 4, 905, 502L << 7),
                            new ConnectionClosed(firstId, 6000, CloseReason.RESET, ""));
            assertThat(recorder.appended()).isEqualTo(6);
            assertThat(recorder.failures()).isZero();
        }
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
