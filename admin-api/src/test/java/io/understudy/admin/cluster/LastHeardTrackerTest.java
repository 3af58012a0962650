package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.jgroups.Address;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

class LastHeardTrackerTest {
    private static final long MS = 1_000_000;

    private final Address self = UUID.randomUUID();
    private final Address peer = UUID.randomUUID();
    private final Address stranger = UUID.randomUUID();
    private final LastHeardTracker tracker = new LastHeardTracker(peer::equals);

    @Test
    void shouldReportNeverWhenNothingArrived() {
        assertThat(tracker.millisSinceHeard(5_000 * MS)).isEqualTo(-1);
    }

    @Test
    void shouldMeasureFromLastMessageWhenPeerSent() {
        tracker.setAddress(self);
        tracker.onReceived(peer, 1_000 * MS);
        tracker.onReceived(peer, 1_200 * MS);

        assertThat(tracker.millisSinceHeard(1_450 * MS)).isEqualTo(250);
        assertThat(tracker.millisSinceHeard(4_200 * MS)).isEqualTo(3_000);
    }

    @Test
    void shouldIgnoreOwnMessagesWhenLoopedBack() {
        tracker.setAddress(self);
        tracker.onReceived(peer, 1_000 * MS);
        tracker.onReceived(self, 2_000 * MS);

        assertThat(tracker.millisSinceHeard(2_500 * MS)).isEqualTo(1_500);
    }

    @Test
    void shouldIgnoreStrangerWhenItIsNotTheConfiguredPeer() {
        tracker.setAddress(self);
        tracker.onReceived(stranger, 1_000 * MS);

        assertThat(tracker.millisSinceHeard(1_500 * MS)).isEqualTo(-1);

        tracker.onReceived(peer, 2_000 * MS);
        tracker.onReceived(stranger, 3_000 * MS);

        assertThat(tracker.millisSinceHeard(3_500 * MS)).isEqualTo(1_500);
    }
}
