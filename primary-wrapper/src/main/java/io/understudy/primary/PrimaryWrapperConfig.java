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
 */
public record PrimaryWrapperConfig(
    String nodeId, InetSocketAddress serviceAddress, InetSocketAddress appAddress, int bufferBytes,
    CloseGuard closeGuard)
{
    public static final int DEFAULT_BUFFER_BYTES = 64 * 1024;

    public PrimaryWrapperConfig(
        final String nodeId, final InetSocketAddress serviceAddress, final InetSocketAddress appAddress,
        final int bufferBytes)
    {
        this(nodeId, serviceAddress, appAddress, bufferBytes, CloseGuard.NONE);
    }

    public PrimaryWrapperConfig
    {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(serviceAddress, "serviceAddress");
        Objects.requireNonNull(appAddress, "appAddress");
        Objects.requireNonNull(closeGuard, "closeGuard");
        if (bufferBytes < 1024)
        {
            throw new IllegalArgumentException("bufferBytes=" + bufferBytes + ", expected at least 1024");
        }
    }
}
