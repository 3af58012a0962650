package io.understudy.backup.takeover;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.capture.DecodeResult;
import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.track.Frames;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackedConnection;
import io.understudy.backup.track.TrackerConfig;
import io.understudy.backup.track.TrackerCounters;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The RSTs a takeover sends to the clients of the connections it did not restore decode as valid segments (both
 * checksums right), from VIP:port to the client's MAC and port, with the sequence numbers the client may expect: its
 * last acknowledgement and the end of what the primary sent.
 */
class ResetFrameTest {
    private static final byte[] OUR_MAC = {2, 0, 0, 0, 0, 3};

    private final TcpTracker tracker = new TcpTracker(
            "test", TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)), TapListener.NONE, new TrackerCounters(), true);
    private final FrameDecoder decoder = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true);
    private final TcpSegment segment = new TcpSegment();

    @Test
    void shouldResetAtTheClientsLastAckAndAtTheEndOfWhatThePrimarySent() {
        // The primary sent 10 bytes ("0123456789", offsets 0..9); the client acked the first 4 of them.
        feed(
                Frames.fromClient().seq(100).flags(TcpSegment.SYN).synOptions(1460, 7, 11, 0),
                Frames.fromServer()
                        .seq(900)
                        .ack(101)
                        .flags(TcpSegment.SYN | TcpSegment.ACK)
                        .synOptions(1460, 7, 22, 11),
                Frames.fromClient().seq(101).ack(901),
                Frames.fromServer().seq(901).ack(101).payload("0123456789"),
                Frames.fromClient().seq(101).ack(905));
        final TrackedConnection connection = tracker.history().get(0);

        final List<byte[]> frames = ResetFrame.framesFor(OUR_MAC, connection);

        assertThat(frames).hasSize(2);
        assertThat(sequence(frames.get(0))).as("the client's last ack").isEqualTo(905);
        assertThat(sequence(frames.get(1))).as("past the primary's last byte").isEqualTo(911);
        for (final byte[] frame : frames) {
            assertThat(decoder.decode(frame, frame.length, frame.length, segment))
                    .isEqualTo(DecodeResult.TCP);
            assertThat(segment.flags).isEqualTo(TcpSegment.RST);
            assertThat(segment.sourceAddress).isEqualTo(Frames.SERVER);
            assertThat(segment.sourcePort).isEqualTo(Frames.SERVICE_PORT);
            assertThat(segment.destinationPort).isEqualTo(Frames.CLIENT_PORT);
            assertThat(segment.payloadLength).isZero();
            assertThat(java.util.Arrays.copyOfRange(frame, 0, 6))
                    .as("to the client's MAC")
                    .containsExactly(2, 0, 0, 0, 0, 1);
        }
    }

    @Test
    void shouldSendOneResetWhenTheClientAckedAllAndNoneWithoutItsMac() {
        feed(
                Frames.fromClient().seq(100).flags(TcpSegment.SYN).synOptions(1460, 7, 11, 0),
                Frames.fromServer()
                        .seq(900)
                        .ack(101)
                        .flags(TcpSegment.SYN | TcpSegment.ACK)
                        .synOptions(1460, 7, 22, 11),
                Frames.fromClient().seq(101).ack(901));
        final TrackedConnection connection = tracker.history().get(0);

        assertThat(ResetFrame.framesFor(OUR_MAC, connection))
                .singleElement()
                .satisfies(frame -> assertThat(sequence(frame)).isEqualTo(901));
        assertThat(ResetFrame.framesFor(null, connection))
                .as("no MAC of our own (loopback)")
                .isEmpty();
    }

    private void feed(final Frames... frames) {
        for (final Frames built : frames) {
            final byte[] frame = built.build();
            decoder.decode(frame, frame.length, frame.length, segment);
            tracker.onSegment(segment, 1);
        }
    }

    private long sequence(final byte[] frame) {
        decoder.decode(frame, frame.length, frame.length, segment);
        return Integer.toUnsignedLong(segment.sequence);
    }
}
