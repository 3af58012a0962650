package io.understudy.admin.cluster;

import io.understudy.logger.UnderstudyException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jgroups.JChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership in its pair: a JGroups channel over TCP (discovery by the configured peer list only, no
 * multicast, diagnostics off, every message encrypted and every join authenticated with the pair's key) that
 * heartbeats the other node, detects its crash, hang or cut link, and reports each view to a
 * {@link MembershipListener}. Only the configured peer counts as the peer; any other member is a stranger, reported
 * as an alarm. Which node is primary is decided above this class.
 */
public final class Membership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final MembershipConfig config;
    private final MembershipStack stack;
    private final JChannel channel;
    private final ViewAdapter adapter;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile java.util.function.Supplier<Announcement> announcement;
    private volatile java.util.concurrent.ScheduledExecutorService announcer;

    private Membership(
            final MembershipConfig config,
            final MembershipStack stack,
            final JChannel channel,
            final ViewAdapter adapter) {
        this.config = config;
        this.stack = stack;
        this.channel = channel;
        this.adapter = adapter;
    }

    /**
     * Joins the pair's cluster and returns once this node has a view: the peer's, or a view of its own when no peer
     * answered within the join timeout (the peer then joins it, or the two merge, later).
     *
     * @throws UnderstudyException when the channel cannot be built or cannot join (e.g. the port is taken).
     */
    public static Membership start(final MembershipConfig config, final MembershipListener listener) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        JGroupsLogging.quietUnlessConfigured();
        final MembershipStack stack = MembershipStack.build(config);
        JChannel channel = null;
        try {
            channel = new JChannel(stack.protocols());
            stack.disableDiagnostics();
            channel.name(config.nodeId());
            final JChannel joined = channel;
            final ConfiguredPeer peer = stack.configuredPeer();
            final ViewAdapter adapter = new ViewAdapter(
                    config.nodeId(),
                    joined::getAddress,
                    stack.suspicions(),
                    listener,
                    new ViewTracker(peer::isPeer, peer::describe),
                    config.peers(),
                    peer::isPeer);
            channel.setReceiver(adapter);
            channel.connect(config.clusterName());
            logJoined(config);
            return new Membership(config, stack, channel, adapter);
        } catch (final Exception ex) {
            if (channel != null) {
                channel.close();
            }
            throw new UnderstudyException(
                    "nodeId=" + config.nodeId() + ", could not join cluster="
                            + config.clusterName() + " on " + config.bindAddress() + ":" + config.bindPort()
                            + ": " + ex.getMessage(),
                    ex);
        }
    }

    private static void logJoined(final MembershipConfig config) {
        LOG.info(
                "[{}] joined cluster {} on {}:{}, peers {}, failure timeout {} ms, heartbeat {} ms, {}",
                config.nodeId(),
                config.clusterName(),
                config.bindAddress(),
                config.bindPort(),
                config.peers(),
                config.failureTimeoutMs(),
                config.heartbeatIntervalMs(),
                config.isSecure()
                        ? "authenticated and encrypted (AUTH, SYM_ENCRYPT)"
                        : "INSECURE (no AUTH, no encryption)");
        if (!config.isSecure()) {
            LOG.warn(
                    "[{}] the heartbeat runs without the pair's secret (insecure: true): anyone on the LAN can join "
                            + "it or read it; strangers are still reported",
                    config.nodeId());
        }
    }

    /**
     * From now on, tells the peer this node's role and epoch every heartbeat interval, on every view change and on
     * {@link #announceNow()}: the peer learns of a new epoch within one interval, and at once when the two meet after
     * a partition or a pause.
     */
    public void announce(final java.util.function.Supplier<Announcement> what) {
        announcement = what;
        adapter.afterEachView(this::announceNow);
        final java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(runnable -> {
                    final Thread thread = new Thread(runnable, "role-announcer");
                    thread.setDaemon(true);
                    return thread;
                });
        announcer = timer;
        timer.scheduleWithFixedDelay(
                this::announceNow, 0, config.heartbeatIntervalMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Sends this node's announcement to the view now; a failure is logged (the next interval tries again). */
    public void announceNow() {
        final java.util.function.Supplier<Announcement> what = announcement;
        if (what == null || closed.get()) {
            return;
        }
        try {
            channel.send(new org.jgroups.BytesMessage(null, what.get().bytes()));
        } catch (final Exception ex) {
            LOG.debug("[{}] announcing the role failed: {}", config.nodeId(), ex.toString());
        }
    }

    /** The view this node installed last. */
    public MembershipView view() {
        return adapter.view();
    }

    /** True when the current view holds the configured peer (a stranger never counts). */
    public boolean isPeerPresent() {
        return adapter.view().peerPresent();
    }

    /** The current view's strangers, "id@a.b.c.d:port": members that are neither this node nor the configured peer. */
    public List<String> strangers() {
        return adapter.view().strangers();
    }

    /**
     * Milliseconds since anything (a heartbeat, a discovery or merge probe, data) last arrived from the configured
     * peer, or -1 when nothing ever has: the heartbeat age. Healthy, it stays below the heartbeat interval plus a
     * little; it keeps growing while the peer is gone.
     */
    public long millisSincePeerHeard() {
        return stack.lastHeard().millisSinceHeard(System.nanoTime());
    }

    /**
     * Fault injection: while on, this node drops every cluster message it would send or receive (JGroups' DISCARD
     * layer above the transport), as if its link were cut, without closing anything. Both nodes then lose each other
     * through heartbeats; turned off, they merge back.
     */
    public void discardAll(final boolean on) {
        stack.discard().discardAll(on);
        LOG.warn("[{}] fault injection: discarding all cluster traffic {}", config.nodeId(), on ? "ON" : "off");
    }

    /** Leaves the cluster cleanly (the peer sees "left" at once) and releases sockets and threads. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            final java.util.concurrent.ScheduledExecutorService timer = announcer;
            if (timer != null) {
                timer.shutdownNow();
            }
            adapter.stop();
            channel.close();
            LOG.info("[{}] left cluster {}", config.nodeId(), config.clusterName());
        }
    }

    /** The channel, for tests that inspect or break the stack. */
    JChannel channel() {
        return channel;
    }

    MembershipStack stack() {
        return stack;
    }
}
