package io.understudy.primary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;

/** Small questions about a JDK socket channel that the relay and the backup's replicas both ask. */
public final class Sockets {
    private Sockets() {}

    /**
     * The port {@code channel} is bound to on this host: for a socket to the app, the port the app sees as its peer.
     * 0 when it is not bound (yet) or already closed. A socket whose connect is under way has its port (the JDK
     * reports it only once the connect completes): it is read from the kernel.
     */
    public static int localPort(final NetworkChannel channel) {
        try {
            if (channel.getLocalAddress() instanceof InetSocketAddress local) {
                return local.getPort();
            }
            return channel.isOpen() ? NativeSocket.localPort(channel) : 0;
        } catch (final IOException ex) {
            return 0;
        }
    }
}
