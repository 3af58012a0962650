package io.understudy.admin.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How this node meets its pair: where it listens, where the two nodes are, how fast a silent peer is declared lost,
 * and the key that authenticates and encrypts the pair's traffic. Checked when built, so a bad value fails at startup
 * with the value and what was expected; addresses are IPv4 literals only, so startup never waits on DNS.
 *
 * @param nodeId              this node's id: the JGroups channel name, in every log line and in the view.
 * @param bindAddress         this node's LAN IPv4 address (a literal); the cluster transport and the failure-detection
 *                            socket bind to it.
 * @param bindPort            cluster transport port, 1..65535; failure-detection sockets use bindPort + 100 (up to
 *                            + 102).
 * @param peers               "a.b.c.d:port" of the pair's nodes, 1 or 2 entries (this node's own entry may be listed,
 *                            at least one other node must be); discovery asks exactly these, never multicast.
 * @param clusterName         the cluster both nodes join; nodes of other clusters are ignored.
 * @param failureTimeoutMs    a peer not heard from for this long is suspected (FD_ALL3 timeout).
 * @param heartbeatIntervalMs heartbeat period (FD_ALL3 interval), less than failureTimeoutMs.
 * @param verifySuspectMs     how long a suspected peer gets to answer before it is excluded (VERIFY_SUSPECT2 timeout).
 * @param joinTimeoutMs       how long a join waits for the coordinator before retrying (GMS join_timeout).
 * @param key                 the pair's membership key ({@code PairSecret.key(PairSecret.MEMBERSHIP)}), 32 bytes;
 *                            null only for a node configured {@code insecure: true} (see {@link #insecure}): then
 *                            anyone on the LAN can join the heartbeat.
 */
public record MembershipConfig(
        String nodeId,
        String bindAddress,
        int bindPort,
        List<String> peers,
        String clusterName,
        long failureTimeoutMs,
        long heartbeatIntervalMs,
        long verifySuspectMs,
        long joinTimeoutMs,
        byte[] key) {
    public static final int KEY_BYTES = 32;
    public static final int DEFAULT_BIND_PORT = 7800;
    public static final String DEFAULT_CLUSTER_NAME = "understudy";
    public static final long DEFAULT_FAILURE_TIMEOUT_MS = 1000;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 200;
    public static final long DEFAULT_VERIFY_SUSPECT_MS = 200;
    public static final long DEFAULT_JOIN_TIMEOUT_MS = 1000;

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern HOST_PORT = Pattern.compile("([^:]+):(\\d{1,5})");

    /** Checks every field; copies the peer list and the key. */
    public MembershipConfig {
        requireText("nodeId", nodeId);
        requireText("clusterName", clusterName);
        final InetAddress bind = parseIpv4("bindAddress", bindAddress);
        if (bind.isAnyLocalAddress() || bind.isMulticastAddress()) {
            throw new IllegalArgumentException(
                    "bindAddress=" + bindAddress + ", expected this node's own unicast LAN address");
        }
        requirePort("bindPort", bindPort);
        if (peers == null || peers.isEmpty() || peers.size() > 2) {
            throw new IllegalArgumentException(
                    "peers=" + peers + ", expected 1 or 2 \"a.b.c.d:port\" entries (the pair's nodes)");
        }
        requireOtherPeer(peers, new InetSocketAddress(bind, bindPort), nodeId);
        peers = List.copyOf(peers);
        requirePositive("heartbeatIntervalMs", heartbeatIntervalMs);
        if (failureTimeoutMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException("failureTimeoutMs=" + failureTimeoutMs
                    + ", expected more than heartbeatIntervalMs=" + heartbeatIntervalMs);
        }
        requirePositive("verifySuspectMs", verifySuspectMs);
        requirePositive("joinTimeoutMs", joinTimeoutMs);
        key = checkedKey(key);
    }

    /**
     * The defaults for a node with the pair's key: port 7800, cluster "understudy", 1 s failure timeout, 200 ms
     * heartbeats.
     */
    public static MembershipConfig of(
            final String nodeId, final String bindAddress, final List<String> peers, final byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("key=null, expected the pair's " + KEY_BYTES + "-byte membership key "
                    + "(an insecure node is built with MembershipConfig.insecure)");
        }
        return new MembershipConfig(
                nodeId,
                bindAddress,
                DEFAULT_BIND_PORT,
                peers,
                DEFAULT_CLUSTER_NAME,
                DEFAULT_FAILURE_TIMEOUT_MS,
                DEFAULT_HEARTBEAT_INTERVAL_MS,
                DEFAULT_VERIFY_SUSPECT_MS,
                DEFAULT_JOIN_TIMEOUT_MS,
                key);
    }

    /** The defaults without a key: no AUTH, no encryption. Only for a node whose config says insecure: true. */
    public static MembershipConfig insecure(final String nodeId, final String bindAddress, final List<String> peers) {
        return new MembershipConfig(
                nodeId,
                bindAddress,
                DEFAULT_BIND_PORT,
                peers,
                DEFAULT_CLUSTER_NAME,
                DEFAULT_FAILURE_TIMEOUT_MS,
                DEFAULT_HEARTBEAT_INTERVAL_MS,
                DEFAULT_VERIFY_SUSPECT_MS,
                DEFAULT_JOIN_TIMEOUT_MS,
                null);
    }

    public MembershipConfig withBindPort(final int port) {
        return new MembershipConfig(
                nodeId,
                bindAddress,
                port,
                peers,
                clusterName,
                failureTimeoutMs,
                heartbeatIntervalMs,
                verifySuspectMs,
                joinTimeoutMs,
                key);
    }

    public MembershipConfig withClusterName(final String name) {
        return new MembershipConfig(
                nodeId,
                bindAddress,
                bindPort,
                peers,
                name,
                failureTimeoutMs,
                heartbeatIntervalMs,
                verifySuspectMs,
                joinTimeoutMs,
                key);
    }

    /** A copy of the key, or null when insecure. */
    @Override
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    /** True when the pair's traffic is authenticated and encrypted (a key is set). */
    public boolean isSecure() {
        return key != null;
    }

    /** Every field but the key's bytes, which never reach a log. */
    @Override
    public String toString() {
        return "MembershipConfig[nodeId=" + nodeId + ", bindAddress=" + bindAddress + ", bindPort=" + bindPort
                + ", peers=" + peers + ", clusterName=" + clusterName + ", failureTimeoutMs=" + failureTimeoutMs
                + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", verifySuspectMs=" + verifySuspectMs
                + ", joinTimeoutMs=" + joinTimeoutMs + ", key=" + (key == null ? "none (insecure)" : "set") + "]";
    }

    /** bindAddress as an address (already checked, so this never resolves a name). */
    public InetAddress bindInetAddress() {
        return parseIpv4("bindAddress", bindAddress);
    }

    /** peers as socket addresses (already checked). */
    List<InetSocketAddress> peerAddresses() {
        final List<InetSocketAddress> addresses = new ArrayList<>(peers.size());
        for (final String peer : peers) {
            addresses.add(parsePeer(peer));
        }
        return addresses;
    }

    /** peers without this node's own entry: the addresses the other node may be at. */
    public List<InetSocketAddress> otherPeerAddresses() {
        final InetSocketAddress self = new InetSocketAddress(bindInetAddress(), bindPort);
        return peerAddresses().stream().filter(peer -> !peer.equals(self)).toList();
    }

    private static byte[] checkedKey(final byte[] key) {
        if (key == null) {
            return null;
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("key has " + key.length + " bytes, expected " + KEY_BYTES
                    + " (PairSecret.key(PairSecret.MEMBERSHIP))");
        }
        if (Arrays.equals(key, new byte[KEY_BYTES])) {
            throw new IllegalArgumentException("key is all zeros, expected the pair's derived membership key");
        }
        return key.clone();
    }

    private static void requireOtherPeer(final List<String> peers, final InetSocketAddress self, final String nodeId) {
        boolean hasOther = false;
        for (final String peer : peers) {
            hasOther |= !parsePeer(peer).equals(self);
        }
        if (!hasOther) {
            throw new IllegalArgumentException("peers=" + peers + " lists only this node (" + nodeId + " at "
                    + self.getAddress().getHostAddress() + ":" + self.getPort() + "), expected the other node too");
        }
    }

    private static InetSocketAddress parsePeer(final String peer) {
        final Matcher matcher = HOST_PORT.matcher(peer == null ? "" : peer.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("peer=" + peer + ", expected \"a.b.c.d:port\"");
        }
        final InetAddress address = parseIpv4("peer " + peer + " address", matcher.group(1));
        final int port = Integer.parseInt(matcher.group(2));
        requirePort("peer " + peer + " port", port);
        return new InetSocketAddress(address, port);
    }

    private static InetAddress parseIpv4(final String name, final String text) {
        final Matcher matcher = IPV4.matcher(text == null ? "" : text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(name + "=" + text + ", expected an IPv4 literal a.b.c.d");
        }
        final byte[] octets = new byte[4];
        for (int i = 0; i < 4; i++) {
            final int octet = Integer.parseInt(matcher.group(i + 1));
            if (octet > 255) {
                throw new IllegalArgumentException(name + "=" + text + ", expected an IPv4 literal a.b.c.d");
            }
            octets[i] = (byte) octet;
        }
        try {
            return InetAddress.getByAddress(octets);
        } catch (final UnknownHostException ex) {
            throw new IllegalArgumentException(name + "=" + text + ", expected an IPv4 literal a.b.c.d", ex);
        }
    }

    private static void requireText(final String name, final String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    name + "=" + (value == null ? "null" : "\"" + value + "\"") + ", expected a non-blank string");
        }
    }

    private static void requirePort(final String name, final int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + "=" + port + ", expected 1..65535");
        }
    }

    private static void requirePositive(final String name, final long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + "=" + value + ", expected more than 0");
        }
    }
}
