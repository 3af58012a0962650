package io.understudy.backup;

import io.understudy.backup.replica.DivergencePolicy;
import io.understudy.backup.track.TrackerConfig;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the backup's tap captures: the LAN interface it listens on in promiscuous mode, and the service (VIP and
 * ports) whose connections it tracks.
 *
 * @param nodeId          the node's id, in every log line.
 * @param interfaceName   the LAN interface that sees client-primary traffic (a hub, a bridge or a mirror port).
 * @param serviceAddress  the VIP, dotted IPv4.
 * @param servicePorts    the service's TCP ports.
 * @param snapLengthBytes bytes captured per frame: must hold a whole frame, or payloads are lost.
 * @param bufferBytes     the kernel capture buffer.
 * @param tracker         the tracker's limits.
 * @param appAddress      where this host's own instance of the app listens, fed as a hot replica; null for none.
 * @param replay          cold standby: no replica runs until takeover, which replays every connection's reads.
 * @param readLog         the logger holding the primary's read log, followed by the tap; null for none.
 * @param readLogAuth     the read-log key the tail proves to the logger, or LogAuth.INSECURE.
 * @param serviceInterface the interface that carries the VIP: gratuitous ARP after a claim, the duplicate ACKs after
 *                        a takeover and the duplicate address probe go out on it, with its MAC. The tap's interface
 *                        unless the tap listens on a mirror port or a bridge of its own.
 * @param divergence      what differences between a replica's output and the primary's leave a connection protected.
 */
public record TapConfig(
        String nodeId,
        String interfaceName,
        String serviceAddress,
        Set<Integer> servicePorts,
        int snapLengthBytes,
        int bufferBytes,
        TrackerLimits tracker,
        java.net.InetSocketAddress appAddress,
        boolean replay,
        java.net.InetSocketAddress readLog,
        io.understudy.logger.LogAuth readLogAuth,
        String serviceInterface,
        DivergencePolicy divergence) {
    /** A tap whose interface also carries the VIP. */
    public TapConfig(
            final String nodeId,
            final String interfaceName,
            final String serviceAddress,
            final Set<Integer> servicePorts,
            final int snapLengthBytes,
            final int bufferBytes,
            final TrackerLimits tracker,
            final java.net.InetSocketAddress appAddress,
            final boolean replay,
            final java.net.InetSocketAddress readLog,
            final io.understudy.logger.LogAuth readLogAuth) {
        this(
                nodeId,
                interfaceName,
                serviceAddress,
                servicePorts,
                snapLengthBytes,
                bufferBytes,
                tracker,
                appAddress,
                replay,
                readLog,
                readLogAuth,
                interfaceName,
                DivergencePolicy.EXACT);
    }

    /** A hot tap without a read log. */
    public TapConfig(
            final String nodeId,
            final String interfaceName,
            final String serviceAddress,
            final Set<Integer> servicePorts,
            final int snapLengthBytes,
            final int bufferBytes,
            final TrackerLimits tracker,
            final java.net.InetSocketAddress appAddress) {
        this(
                nodeId,
                interfaceName,
                serviceAddress,
                servicePorts,
                snapLengthBytes,
                bufferBytes,
                tracker,
                appAddress,
                false,
                null,
                io.understudy.logger.LogAuth.INSECURE);
    }

    /**
     * The tracker's memory and table limits.
     *
     * @param streamCapBytes bytes retained per stream at most.
     * @param globalCapBytes bytes retained over all streams at most.
     * @param maxConnections connections tracked at once.
     */
    public record TrackerLimits(int streamCapBytes, long globalCapBytes, int maxConnections) {
        public static TrackerLimits defaults() {
            final TrackerConfig defaults = TrackerConfig.defaults(Set.of(1));
            return new TrackerLimits(defaults.streamCapBytes(), defaults.globalCapBytes(), defaults.maxConnections());
        }
    }

    public TapConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(serviceAddress, "serviceAddress");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(readLogAuth, "readLogAuth");
        Objects.requireNonNull(serviceInterface, "serviceInterface");
        Objects.requireNonNull(divergence, "divergence");
        if (interfaceName.isBlank() || serviceInterface.isBlank()) {
            throw new IllegalArgumentException("tap config needs interface names: interfaceName='" + interfaceName
                    + "', serviceInterface='" + serviceInterface + "'");
        }
        servicePorts = Set.copyOf(servicePorts);
        if (replay && (appAddress == null || readLog == null)) {
            throw new IllegalArgumentException("replay mode needs the app's address and a read log");
        }
        if (servicePorts.isEmpty() || snapLengthBytes < 1514 || bufferBytes < 65536) {
            throw new IllegalArgumentException("tap config needs service ports, snapLengthBytes >= 1514 and "
                    + "bufferBytes >= 65536: " + servicePorts + ", " + snapLengthBytes + ", " + bufferBytes);
        }
    }

    /** This config with the VIP on {@code serviceInterface} (the tap still listens on {@link #interfaceName()}). */
    public TapConfig withServiceInterface(final String serviceInterface) {
        return new TapConfig(
                nodeId,
                interfaceName,
                serviceAddress,
                servicePorts,
                snapLengthBytes,
                bufferBytes,
                tracker,
                appAddress,
                replay,
                readLog,
                readLogAuth,
                serviceInterface,
                divergence);
    }

    /** This config with {@code divergence} as what the replicas' output may differ by. */
    public TapConfig withDivergence(final DivergencePolicy divergence) {
        return new TapConfig(
                nodeId,
                interfaceName,
                serviceAddress,
                servicePorts,
                snapLengthBytes,
                bufferBytes,
                tracker,
                appAddress,
                replay,
                readLog,
                readLogAuth,
                serviceInterface,
                divergence);
    }

    /** True when the VIP is on an interface other than the tap's, which then needs a handle of its own to send. */
    public boolean hasSeparateServiceInterface() {
        return !serviceInterface.equals(interfaceName);
    }

    /** The BPF filter: TCP to or from the VIP on a service port. */
    public String captureFilter() {
        return "tcp and host " + serviceAddress + " and ("
                + servicePorts.stream().sorted().map(port -> "port " + port).collect(Collectors.joining(" or ")) + ")";
    }

    public TrackerConfig trackerConfig() {
        final TrackerConfig defaults = TrackerConfig.defaults(servicePorts);
        return new TrackerConfig(
                servicePorts,
                tracker.streamCapBytes(),
                tracker.globalCapBytes(),
                defaults.maxPiecesAhead(),
                tracker.maxConnections(),
                defaults.closedLingerNs());
    }
}
