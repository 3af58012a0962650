package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.util.NameCache;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

class ViewTrackerTest {
    private final Address a = node("tracker-a");
    private final Address b = node("tracker-b");
    private final Address c = node("tracker-c");
    private Address restartedB;
    private final ViewTracker tracker = new ViewTracker(this::isConfiguredPeer, member -> member + "@stranger");

    @Test
    void shouldReportPeerJoinedAndPresentWhenViewGainsIt() {
        tracker.onView(View.create(a, 1, a), a, member -> false, 100);

        final ViewTracker.ViewChange change = tracker.onView(View.create(a, 2, a, b), a, member -> false, 200);

        assertThat(change.joined()).containsExactly("tracker-b");
        assertThat(change.lost()).isEmpty();
        assertThat(change.view().members()).containsExactly("tracker-a", "tracker-b");
        assertThat(change.view().coordinator()).isEqualTo("tracker-a");
        assertThat(change.view().peerPresent()).isTrue();
        assertThat(change.view().lastChangeNs()).isEqualTo(200);
    }

    @Test
    void shouldReportSuspectedWhenExcludedPeerWasSuspected() {
        tracker.onView(View.create(a, 2, a, b), a, member -> false, 100);

        final ViewTracker.ViewChange change = tracker.onView(View.create(a, 3, a), a, Set.of(b)::contains, 300);

        assertThat(change.lost()).containsExactly(new ViewTracker.LostPeer("tracker-b", "suspected"));
        assertThat(change.view().peerPresent()).isFalse();
    }

    @Test
    void shouldReportLeftWhenPeerLeavesWithoutSuspicion() {
        tracker.onView(View.create(b, 2, b, a), a, member -> false, 100);

        final ViewTracker.ViewChange change = tracker.onView(View.create(a, 3, a), a, member -> false, 300);

        assertThat(change.lost()).containsExactly(new ViewTracker.LostPeer("tracker-b", "left"));
        assertThat(change.view().coordinator()).isEqualTo("tracker-a");
    }

    @Test
    void shouldReportLostAndJoinedWhenPeerRestartsWithSameId() {
        final Address restarted = node("tracker-b");
        restartedB = restarted;
        tracker.onView(View.create(a, 2, a, b), a, member -> false, 100);

        final ViewTracker.ViewChange change = tracker.onView(View.create(a, 3, a, restarted), a, member -> false, 300);

        assertThat(change.lost()).containsExactly(new ViewTracker.LostPeer("tracker-b", "left"));
        assertThat(change.joined()).containsExactly("tracker-b");
        assertThat(change.view().peerPresent()).isTrue();
    }

    @Test
    void shouldReportPeerAlreadyThereWhenFirstViewHasIt() {
        final ViewTracker.ViewChange change = tracker.onView(View.create(b, 5, b, a), a, member -> false, 100);

        assertThat(change.joined()).containsExactly("tracker-b");
        assertThat(change.view().viewId()).isEqualTo("[tracker-b|5]");
    }

    @Test
    void shouldReportStrangerOnceAndNeverAsPeerWhenNotConfigured() {
        final ViewTracker.ViewChange first = tracker.onView(View.create(a, 2, a, c), a, member -> false, 100);
        final ViewTracker.ViewChange second = tracker.onView(View.create(a, 3, a, c, b), a, member -> false, 200);

        assertThat(first.view().peerPresent()).isFalse();
        assertThat(first.joined()).isEmpty();
        assertThat(first.view().strangers()).containsExactly("tracker-c@stranger");
        assertThat(first.newStrangers()).containsExactly("tracker-c@stranger");
        assertThat(second.view().peerPresent()).isTrue();
        assertThat(second.joined()).containsExactly("tracker-b");
        assertThat(second.view().strangers()).containsExactly("tracker-c@stranger");
        assertThat(second.newStrangers()).isEmpty();
        assertThat(second.view().members()).containsExactly("tracker-a", "tracker-c", "tracker-b");
    }

    @Test
    void shouldNotReportPeerLostWhenStrangerLeaves() {
        tracker.onView(View.create(a, 2, a, b, c), a, member -> false, 100);

        final ViewTracker.ViewChange change = tracker.onView(View.create(a, 3, a, b), a, member -> false, 200);

        assertThat(change.lost()).isEmpty();
        assertThat(change.view().strangers()).isEmpty();
        assertThat(change.view().peerPresent()).isTrue();
    }

    private boolean isConfiguredPeer(final Address member) {
        return member.equals(b) || member.equals(restartedB);
    }

    private static Address node(final String id) {
        final Address address = UUID.randomUUID();
        NameCache.add(address, id);
        return address;
    }
}
