package io.understudy.admin.cluster;

import java.util.List;
import java.util.function.Supplier;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the channel's views, keeps the current {@link MembershipView}, logs the change (a stranger in the view at
 * ERROR, once per appearance) and calls the {@link MembershipListener} about the configured peer only. Runs on JGroups
 * threads; a listener that throws is logged, never allowed to reach JGroups.
 */
final class ViewAdapter implements Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(ViewAdapter.class);

    private final String nodeId;
    private final Supplier<Address> self;
    private final SuspicionTracker suspicions;
    private final MembershipListener listener;
    private final ViewTracker tracker;
    private final List<String> configuredPeers;
    private final java.util.function.Predicate<Address> isPeer;
    private volatile Runnable onView = () -> {};
    private volatile MembershipView view = MembershipView.NONE;
    private volatile boolean stopped;

    ViewAdapter(
            final String nodeId,
            final Supplier<Address> self,
            final SuspicionTracker suspicions,
            final MembershipListener listener,
            final ViewTracker tracker,
            final List<String> configuredPeers,
            final java.util.function.Predicate<Address> isPeer) {
        this.isPeer = isPeer;
        this.nodeId = nodeId;
        this.self = self;
        this.suspicions = suspicions;
        this.listener = listener;
        this.tracker = tracker;
        this.configuredPeers = List.copyOf(configuredPeers);
    }

    MembershipView view() {
        return view;
    }

    /** Run after each view is reported (the membership announces this node's role then). */
    void afterEachView(final Runnable action) {
        onView = action;
    }

    /**
     * A message on the channel: the configured peer's announcement of its role and epoch ({@link Announcement}).
     * Anything else, and anything from a member that is not the configured peer, is dropped (logged at debug).
     */
    @Override
    public void receive(final Message message) {
        if (stopped) {
            return;
        }
        final Address source = message.getSrc();
        if (source == null || !isPeer.test(source)) {
            LOG.debug("[{}] message from {} ignored: not the configured peer", nodeId, source);
            return;
        }
        final java.util.Optional<Announcement> announced =
                Announcement.parse(message.getArray(), message.getOffset(), message.getLength());
        if (announced.isEmpty()) {
            LOG.warn(
                    "[{}] unreadable message from the peer {} ignored ({} bytes)", nodeId, source, message.getLength());
            return;
        }
        final Announcement peer = announced.get();
        callListener("onPeerState", () -> listener.onPeerState(ViewTracker.idOf(source), peer.state(), peer.epoch()));
    }

    /** Stops reporting: the views a leaving node still sees are not news to anyone. */
    void stop() {
        stopped = true;
    }

    @Override
    public void viewAccepted(final View newView) {
        if (stopped) {
            return;
        }
        onView(newView, System.nanoTime());
    }

    private synchronized void onView(final View newView, final long nowNs) {
        final ViewTracker.ViewChange change = tracker.onView(newView, self.get(), suspicions::wasSuspected, nowNs);
        suspicions.retainOnly(newView.getMembers());
        view = change.view();
        LOG.info(
                "[{}] view {}: members {}, coordinator {}, peer present={}",
                nodeId,
                view.viewId(),
                view.members(),
                view.coordinator(),
                view.peerPresent());
        for (final String stranger : change.newStrangers()) {
            LOG.error(
                    "[{}] stranger {} in heartbeat view {}: not at a configured peer address {}; it never counts "
                            + "as the peer (it holds the pair's key, or this node runs insecure)",
                    nodeId,
                    stranger,
                    view.viewId(),
                    configuredPeers);
        }
        callListener("onViewChanged", () -> listener.onViewChanged(change.view()));
        for (final ViewTracker.LostPeer lost : change.lost()) {
            LOG.warn("[{}] peer {} lost ({})", nodeId, lost.peerId(), lost.why());
            callListener("onPeerLost", () -> listener.onPeerLost(lost.peerId(), lost.why()));
        }
        for (final String joined : change.joined()) {
            LOG.info("[{}] peer {} joined", nodeId, joined);
            callListener("onPeerJoined", () -> listener.onPeerJoined(joined));
        }
        callListener("announce", onView);
    }

    private void callListener(final String callback, final Runnable call) {
        try {
            call.run();
        } catch (final RuntimeException ex) {
            LOG.error("[{}] membership listener {} threw; ignored", nodeId, callback, ex);
        }
    }
}
