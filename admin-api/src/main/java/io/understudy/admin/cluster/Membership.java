package io.understudy.admin.cluster;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.jgroups.JChannel;

import io.understudy.logger.UnderstudyException;

/**
 * This node's membership in its pair: a JGroups channel over TCP (discovery by the configured peer list only, no
 * multicast, diagnostics off) that heartbeats the other node, detects its crash, hang or cut link, and reports each
 * view to a {@link MembershipListener}. The view tells the node whether its peer is here; which node is primary is
 * decided above this class.
 */
public final class Membership implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final MembershipConfig config;
    private final MembershipStack stack;
    private final JChannel channel;
    private final ViewAdapter adapter;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Membership(
        final MembershipConfig config, final MembershipStack stack, final JChannel channel, final ViewAdapter adapter)
    {
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
    public static Membership start(final MembershipConfig config, final MembershipListener listener)
    {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        JGroupsLogging.quietUnlessConfigured();
        final MembershipStack stack = MembershipStack.build(config);
        JChannel channel = null;
        try
        {
            channel = new JChannel(stack.protocols());
            stack.disableDiagnostics();
            channel.name(config.nodeId());
            final JChannel joined = channel;
            final ViewAdapter adapter =
                new ViewAdapter(config.nodeId(), joined::getAddress, stack.suspicions(), listener);
            channel.setReceiver(adapter);
            channel.connect(config.clusterName());
            LOG.info("[{}] joined cluster {} on {}:{}, peers {}, failure timeout {} ms, heartbeat {} ms",
                config.nodeId(), config.clusterName(), config.bindAddress(), config.bindPort(), config.peers(),
                config.failureTimeoutMs(), config.heartbeatIntervalMs());
            return new Membership(config, stack, channel, adapter);
        }
        catch (final Exception ex)
        {
            if (channel != null)
            {
                channel.close();
            }
            throw new UnderstudyException("nodeId=" + config.nodeId() + ", could not join cluster="
                + config.clusterName() + " on " + config.bindAddress() + ":" + config.bindPort()
                + ": " + ex.getMessage(), ex);
        }
    }

    /** The view this node installed last. */
    public MembershipView view()
    {
        return adapter.view();
    }

    /** True when the current view holds the other node. */
    public boolean isPeerPresent()
    {
        return adapter.view().peerPresent();
    }

    /**
     * Milliseconds since anything (a heartbeat, a discovery or merge probe, data) last arrived from the peer, or -1
     * when nothing ever has: the heartbeat age. Healthy, it stays below the heartbeat interval plus a little; it keeps
     * growing while the peer is gone.
     */
    public long millisSincePeerHeard()
    {
        return stack.lastHeard().millisSinceHeard(System.nanoTime());
    }

    /**
     * Fault injection: while on, this node drops every cluster message it would send or receive (JGroups' DISCARD
     * layer above the transport), as if its link were cut, without closing anything. Both nodes then lose each other
     * through heartbeats; turned off, they merge back.
     */
    public void discardAll(final boolean on)
    {
        stack.discard().discardAll(on);
        LOG.warn("[{}] fault injection: discarding all cluster traffic {}", config.nodeId(), on ? "ON" : "off");
    }

    /** Leaves the cluster cleanly (the peer sees "left" at once) and releases sockets and threads. Idempotent. */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            adapter.stop();
            channel.close();
            LOG.info("[{}] left cluster {}", config.nodeId(), config.clusterName());
        }
    }

    /** The channel, for tests that inspect or break the stack. */
    JChannel channel()
    {
        return channel;
    }

    MembershipStack stack()
    {
        return stack;
    }
}
