package io.understudy.backup.takeover;

import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.track.Frames;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackedConnection;
import io.understudy.backup.track.TrackerConfig;
import io.understudy.backup.track.TrackerCounters;
import java.util.Set;

/** A connection as the tap tracks it after a handshake with timestamps and window scaling, for frame tests. */
final class TappedHandshake {
    private TappedHandshake() {}

    /**
     * Client SYN (seq 100, TSval 11), server SYN-ACK (seq 900, TSval 22), then the client's ACK (TSval 33, window
     * 300); the client's first byte is seq 101.
     */
    static TrackedConnection connection() {
        final TcpTracker tracker = new TcpTracker(
                "test",
                TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)),
                TapListener.NONE,
                new TrackerCounters(),
                true);
        final FrameDecoder decoder = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true);
        final TcpSegment segment = new TcpSegment();
        for (final Frames frames : new Frames[] {
            Frames.fromClient().seq(100).flags(TcpSegment.SYN).synOptions(1460, 7, 11, 0),
            Frames.fromServer()
                    .seq(900)
                    .ack(101)
                    .flags(TcpSegment.SYN | TcpSegment.ACK)
                    .synOptions(1460, 7, 22, 11),
            Frames.fromClient().seq(101).ack(901).window(300).timestamps(33, 22)
        }) {
            final byte[] frame = frames.build();
            decoder.decode(frame, frame.length, frame.length, segment);
            tracker.onSegment(segment, 1);
        }
        return tracker.history().get(0);
    }
}
