package io.understudy.primary;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What the primary-wrapper needs to know: where clients reach the service (VIP:service-port) and where the local
 * app listens (normally 127.0.0.1:app-port).
 *
 * @param nodeId         the node's id, put in every log line.
 * @param serviceAddress address and port the wrapper accepts clients on.
 * @param appAddress     address and port of the app each client connection is relayed to.
 * @param bufferBytes    bytes buffered per direction per connection before the wrapper stops reading that side.
 * @param closeGuard     told before each FIN or RST the wrapper sends a client.
 * @param readLog        where reads, writes and closes are logged ({@link ReadLog#NONE}: nowhere); the caller
 *                       owns it and closes it after the wrapper.
 * @param appCloseGate   asked whether an app-side close may reach the client or must be held (the app may have died).
 * @param maxConnections clients relayed at once at most; one more is refused with a RST (each holds two buffers of
 *                       {@code bufferBytes} of direct memory).
 * @param lease          asked every relay turn whether this node may still relay ({@link RelayLease#ALWAYS}: always).
 * @param freeBind       bind the listener with IP_FREEBIND, before the service address is on this host (a takeover
 *                       listens before it claims the address, so no client's connect is refused in between);
 *                       false: a service address this host does not hold is an error at start.
 */
public record PrimaryWrapperConfig(
        String nodeId,
        InetSocketAddress serviceAddress,
        InetSocketAddress appAddress,
        int bufferBytes,
        CloseGuard closeGuard,
        ReadLog readLog,
        AppCloseGate appCloseGate,
        int maxConnections,
        RelayLease lease,
        boolean freeBind) {
    public static final int DEFAULT_BUFFER_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;

    /** Bound to an address this host holds. */
    public PrimaryWrapperConfig(
            final String nodeId,
            final InetSocketAddress serviceAddress,
            final InetSocketAddress appAddress,
            final int bufferBytes,
            final CloseGuard closeGuard,
            final ReadLog readLog,
            final AppCloseGate appCloseGate,
            final int maxConnections,
            final RelayLease lease) {
        this(
                nodeId,
                serviceAddress,
                appAddress,
                bufferBytes,
                closeGuard,
                readLog,
                appCloseGate,
                maxConnections,
                lease,
                false);
    }

    /** Without a lease: the relay always relays. */
    public PrimaryWrapperConfig(
            final String nodeId,
            final InetSocketAddress serviceAddress,
            final InetSocketAddress appAddress,
            final int bufferBytes,
            final CloseGuard closeGuard,
            final ReadLog readLog,
            final AppCloseGate appCloseGate,
            final int maxConnections) {
        this(
                nodeId,
                serviceAddress,
                appAddress,
                bufferBytes,
                closeGuard,
                readLog,
                appCloseGate,
                maxConnections,
                RelayLease.ALWAYS);
    }

    public PrimaryWrapperConfig(
            final String nodeId,
            final InetSocketAddress serviceAddress,
            final InetSocketAddress appAddress,
            final int bufferBytes,
            final CloseGuard closeGuard,
            final ReadLog readLog) {
        this(
                nodeId,
                serviceAddress,
                appAddress,
                bufferBytes,
                closeGuard,
                readLog,
                AppCloseGate.PASS,
                DEFAULT_MAX_CONNECTIONS);
    }

    public PrimaryWrapperConfig(
            final String nodeId,
            final InetSocketAddress serviceAddress,
            final InetSocketAddress appAddress,
            final int bufferBytes) {
        this(nodeId, serviceAddress, appAddress, bufferBytes, CloseGuard.NONE, ReadLog.NONE);
    }

    public PrimaryWrapperConfig(
            final String nodeId,
            final InetSocketAddress serviceAddress,
            final InetSocketAddress appAddress,
            final int bufferBytes,
            final CloseGuard closeGuard) {
        this(nodeId, serviceAddress, appAddress, bufferBytes, closeGuard, ReadLog.NONE);
    }

    public PrimaryWrapperConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(serviceAddress, "serviceAddress");
        Objects.requireNonNull(appAddress, "appAddress");
        Objects.requireNonNull(closeGuard, "closeGuard");
        Objects.requireNonNull(readLog, "readLog");
        Objects.requireNonNull(appCloseGate, "appCloseGate");
        Objects.requireNonNull(lease, "lease");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections=" + maxConnections + ", expected at least 1");
        }
        if (bufferBytes < 1024) {
            throw new IllegalArgumentException("bufferBytes=" + bufferBytes + ", expected at least 1024");
        }
    }

    /** This config with the relay held to {@code lease}. */
    public PrimaryWrapperConfig withLease(final RelayLease lease) {
        return new PrimaryWrapperConfig(
                nodeId,
                serviceAddress,
                appAddress,
                bufferBytes,
                closeGuard,
                readLog,
                appCloseGate,
                maxConnections,
                lease,
                freeBind);
    }

    /** This config with the listener bound before the service address is on this host, or not. */
    public PrimaryWrapperConfig withFreeBind(final boolean on) {
        return new PrimaryWrapperConfig(
                nodeId,
                serviceAddress,
                appAddress,
                bufferBytes,
                closeGuard,
                readLog,
                appCloseGate,
                maxConnections,
                lease,
                on);
    }
}
