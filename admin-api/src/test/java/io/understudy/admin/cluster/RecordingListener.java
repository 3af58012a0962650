package io.understudy.admin.cluster;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A listener that queues every peer event with the time it arrived, so a test can wait for one with a deadline.
 */
final class RecordingListener implements MembershipListener {
    /** One onPeerLost or onPeerJoined call. */
    record PeerEvent(String kind, String peerId, String why, long atNs) {}

    private final BlockingQueue<PeerEvent> events = new LinkedBlockingQueue<>();
    /** Every onPeerState call, "peerId state epoch". */
    final BlockingQueue<String> states = new LinkedBlockingQueue<>();

    @Override
    public void onPeerState(final String peerId, final String state, final long epoch) {
        states.add(peerId + " " + state + " " + epoch);
    }

    @Override
    public void onPeerLost(final String peerId, final String why) {
        events.add(new PeerEvent("lost", peerId, why, System.nanoTime()));
    }

    @Override
    public void onPeerJoined(final String peerId) {
        events.add(new PeerEvent("joined", peerId, "", System.nanoTime()));
    }

    /** Waits for the next event of that kind about that peer, skipping others; fails when the deadline passes. */
    PeerEvent await(final String kind, final String peerId, final Duration timeout) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true) {
            final long leftNs = deadlineNs - System.nanoTime();
            final PeerEvent event = leftNs > 0 ? events.poll(leftNs, TimeUnit.NANOSECONDS) : null;
            if (event == null) {
                throw new AssertionError("no " + kind + " event for " + peerId + " within " + timeout);
            }
            if (event.kind().equals(kind) && event.peerId().equals(peerId)) {
                return event;
            }
        }
    }

    void clear() {
        events.clear();
    }
}
