package io.understudy.admin.cluster;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
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
 *   AUTH             PairAuthToken: joins and merges must prove the key (HMAC of the sender's address)   [secure]
 *   STABLE
 *   UNICAST3
 *   NAKACK2
 *   SuspicionTracker (ours: logs confirmed suspicions, tells "suspected" from "left")
 *   VERIFY_SUSPECT2  timeout=verifySuspectMs
 *   FD_ALL3          timeout=failureTimeoutMs, interval=heartbeatIntervalMs
 *   FD_SOCK2         bind_addr=bindAddress, port bindPort+100 (port_range 3)
 *   MERGE3           min_interval=1 s, max_interval=3 s (a healed partition merges within seconds)
 *   TCPPING          initial_hosts=peers, port_range=0 (no multicast discovery)
 *   LastHeardTracker (ours: time since the configured peer last sent anything that decrypted)
 *   SERIALIZE        the whole message (headers, src, flags) becomes the payload SYM_ENCRYPT encrypts   [secure]
 *   SYM_ENCRYPT      AES/CBC/PKCS5Padding, 16-byte random IV a message, AES-256 key from the pair's key  [secure]
 *   DISCARD          fault injection, inactive unless discardAll(true)
 *   TCP              bind_addr=bindAddress, bind_port=bindPort, port_range=0, thread pool 0..20, diag off
 * </pre>
 * SYM_ENCRYPT, not ASYM_ENCRYPT: the two nodes share a pre-shared secret, so there is no key server (a coordinator
 * handing out a group key) to elect, trust or wait for, and no key exchange on a join or after a crash. It sits just
 * above the transport, below discovery and failure detection too, so a node without the key is not even answered
 * by discovery and cannot send a heartbeat; below NAKACK2/UNICAST3, so their sequence numbers are encrypted and a
 * replayed reliable message is dropped as a duplicate. SYM_ENCRYPT leaves header-only messages (heartbeats, most of
 * GMS) in clear, hence SERIALIZE above it. AUTH sits right below GMS, as its manual says: a node with a wrong AUTH
 * token is refused a join or merge even if it could encrypt. Without a key (insecure: true) the three layers are
 * left out.
 */
final class MembershipStack {
    static final long MERGE_MIN_INTERVAL_MS = 1000;
    static final long MERGE_MAX_INTERVAL_MS = 3000;
    static final int MAX_THREADS = 20;
    static final String SYM_ALGORITHM = "AES/CBC/PKCS5Padding";
    static final int SYM_IV_BYTES = 16;

    private final TCP transport;
    private final DISCARD discard;
    private final LastHeardTracker lastHeard;
    private final SuspicionTracker suspicions;
    private final ConfiguredPeer configuredPeer;
    private final List<Protocol> protocols;

    private MembershipStack(
            final TCP transport,
            final DISCARD discard,
            final LastHeardTracker lastHeard,
            final SuspicionTracker suspicions,
            final ConfiguredPeer configuredPeer,
            final List<Protocol> protocols) {
        this.transport = transport;
        this.discard = discard;
        this.lastHeard = lastHeard;
        this.suspicions = suspicions;
        this.configuredPeer = configuredPeer;
        this.protocols = protocols;
    }

    static MembershipStack build(final MembershipConfig config) {
        final InetAddress bindAddress = config.bindInetAddress();

        final TCP transport = new TCP();
        transport.setBindAddr(bindAddress);
        transport.setBindPort(config.bindPort());
        transport.setPortRange(0);
        transport.getThreadPool().setMinThreads(0).setMaxThreads(MAX_THREADS);

        final DISCARD discard = new DISCARD().discardAll(false);
        final ConfiguredPeer configuredPeer =
                new ConfiguredPeer(config.otherPeerAddresses(), transport::getPhysicalAddressFromCache);
        final LastHeardTracker lastHeard = new LastHeardTracker(configuredPeer::isPeer);

        final TCPPING discovery = new TCPPING();
        discovery.setInitialHosts(config.peerAddresses());
        discovery.setPortRange(0);

        final MERGE3 merge = new MERGE3().setMinInterval(MERGE_MIN_INTERVAL_MS).setMaxInterval(MERGE_MAX_INTERVAL_MS);
        final FD_SOCK2 socketDetection = new FD_SOCK2().setBindAddress(bindAddress);
        final FD_ALL3 heartbeats =
                new FD_ALL3().setTimeout(config.failureTimeoutMs()).setInterval(config.heartbeatIntervalMs());
        final VERIFY_SUSPECT2 verify = new VERIFY_SUSPECT2().setTimeout(config.verifySuspectMs());
        final SuspicionTracker suspicions = new SuspicionTracker(config.nodeId(), config.failureTimeoutMs());
        final GMS gms = new GMS().setJoinTimeout(config.joinTimeoutMs()).printLocalAddress(false);

        final List<Protocol> protocols = new ArrayList<>(List.of(transport, discard));
        if (config.isSecure()) {
            protocols.add(encryption(config.key()));
            protocols.add(new SERIALIZE());
        }
        protocols.addAll(List.of(
                lastHeard,
                discovery,
                merge,
                socketDetection,
                heartbeats,
                verify,
                suspicions,
                new NAKACK2(),
                new UNICAST3(),
                new STABLE()));
        if (config.isSecure()) {
            protocols.add(authentication(config.nodeId(), config.key()));
        }
        protocols.addAll(List.of(gms, new FRAG2()));
        return new MembershipStack(transport, discard, lastHeard, suspicions, configuredPeer, List.copyOf(protocols));
    }

    private static SYM_ENCRYPT encryption(final byte[] membershipKey) {
        final SYM_ENCRYPT encrypt = new SYM_ENCRYPT();
        encrypt.symAlgorithm(SYM_ALGORITHM);
        encrypt.symIvLength(SYM_IV_BYTES);
        encrypt.setSecretKey(MembershipKeys.encryptionKey(membershipKey));
        return encrypt;
    }

    private static AUTH authentication(final String nodeId, final byte[] membershipKey) {
        final PairAuthToken token = new PairAuthToken(nodeId, MembershipKeys.authenticationKey(membershipKey));
        final AUTH auth = new AUTH().setAuthToken(token);
        token.setAuth(auth);
        return auth;
    }

    /**
     * Turns the transport's diagnostics handler off for good: it listens on a multicast socket. JGroups creates it
     * when the channel initialises the stack, so this runs after the channel is built and before it connects.
     */
    void disableDiagnostics() {
        final DiagnosticsHandler diagnostics = transport.getDiagnosticsHandler();
        if (diagnostics != null) {
            diagnostics.setEnabled(false).enableUdp(false).enableTcp(false);
        }
    }

    TCP transport() {
        return transport;
    }

    DISCARD discard() {
        return discard;
    }

    LastHeardTracker lastHeard() {
        return lastHeard;
    }

    SuspicionTracker suspicions() {
        return suspicions;
    }

    ConfiguredPeer configuredPeer() {
        return configuredPeer;
    }

    /** Bottom (transport) first, as JChannel expects. */
    List<Protocol> protocols() {
        return protocols;
    }
}
