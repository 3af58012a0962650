package io.understudy.admin.cluster;

import java.net.InetAddress;
import java.util.List;

import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.DiagnosticsHandler;
import org.jgroups.stack.Protocol;

/**
 * The pair's JGroups stack, built in code (no XML lookups), top to bottom:
 * <pre>
 *   FRAG2
 *   GMS              join_timeout=joinTimeoutMs, print_local_addr=false
 *   STABLE
 *   UNICAST3
 *   NAKACK2
 *   SuspicionTracker (ours: logs confirmed suspicions, tells "suspected" from "left")
 *   VERIFY_SUSPECT2  timeout=verifySuspectMs
 *   FD_ALL3          timeout=failureTimeoutMs, interval=heartbeatIntervalMs
 *   FD_SOCK2         bind_addr=bindAddress, port bindPort+100 (port_range 3)
 *   MERGE3           min_interval=1 s, max_interval=3 s (a healed partition merges within seconds)
 *   TCPPING          initial_hosts=peers, port_range=0 (no multicast discovery)
 *   LastHeardTracker (ours: time since anything arrived from the peer)
 *   DISCARD          fault injection, inactive unless discardAll(true)
 *   TCP              bind_addr=bindAddress, bind_port=bindPort, port_range=0, thread pool 0..20, diag off
 * </pre>
 */
final class MembershipStack
{
    static final long MERGE_MIN_INTERVAL_MS = 1000;
    static final long MERGE_MAX_INTERVAL_MS = 3000;
    static final int MAX_THREADS = 20;

    private final TCP transport;
    private final DISCARD discard;
    private final LastHeardTracker lastHeard;
    private final SuspicionTracker suspicions;
    private final List<Protocol> protocols;

    private MembershipStack(
        final TCP transport,
        final DISCARD discard,
        final LastHeardTracker lastHeard,
        final SuspicionTracker suspicions,
        final List<Protocol> protocols)
    {
        this.transport = transport;
        this.discard = discard;
        this.lastHeard = lastHeard;
        this.suspicions = suspicions;
        this.protocols = protocols;
    }

    static MembershipStack build(final MembershipConfig config)
    {
        final InetAddress bindAddress = config.bindInetAddress();

        final TCP transport = new TCP();
        transport.setBindAddr(bindAddress);
        transport.setBindPort(config.bindPort());
        transport.setPortRange(0);
        transport.getThreadPool().setMinThreads(0).setMaxThreads(MAX_THREADS);

        final DISCARD discard = new DISCARD().discardAll(false);
        final LastHeardTracker lastHeard = new LastHeardTracker();

        final TCPPING discovery = new TCPPING();
        discovery.setInitialHosts(config.peerAddresses());
        discovery.setPortRange(0);

        final MERGE3 merge = new MERGE3().setMinInterval(MERGE_MIN_INTERVAL_MS).setMaxInterval(MERGE_MAX_INTERVAL_MS);
        final FD_SOCK2 socketDetection = new FD_SOCK2().setBindAddress(bindAddress);
        final FD_ALL3 heartbeats = new FD_ALL3().setTimeout(config.failureTimeoutMs())
            .setInterval(config.heartbeatIntervalMs());
        final VERIFY_SUSPECT2 verify = new VERIFY_SUSPECT2().setTimeout(config.verifySuspectMs());
        final SuspicionTracker suspicions = new SuspicionTracker(config.nodeId(), config.failureTimeoutMs());
        final GMS gms = new GMS().setJoinTimeout(config.joinTimeoutMs()).printLocalAddress(false);

        return new MembershipStack(transport, discard, lastHeard, suspicions, List.of(
            transport, discard, lastHeard, discovery, merge, socketDetection, heartbeats, verify, suspicions,
            new NAKACK2(), new UNICAST3(), new STABLE(), gms, new FRAG2()));
    }

    /**
     * Turns the transport's diagnostics handler off for good: it listens on a multicast socket. JGroups creates it
     * when the channel initialises the stack, so this runs after the channel is built and before it connects.
     */
    void disableDiagnostics()
    {
        final DiagnosticsHandler diagnostics = transport.getDiagnosticsHandler();
        if (diagnostics != null)
        {
            diagnostics.setEnabled(false).enableUdp(false).enableTcp(false);
        }
    }

    TCP transport()
    {
        return transport;
    }

    DISCARD discard()
    {
        return discard;
    }

    LastHeardTracker lastHeard()
    {
        return lastHeard;
    }

    SuspicionTracker suspicions()
    {
        return suspicions;
    }

    /** Bottom (transport) first, as JChannel expects. */
    List<Protocol> protocols()
    {
        return protocols;
    }
}
