package io.understudy.primary;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port that refuses connections while this is open: bound by a socket that does not listen. A port a probe closed
 * again is not enough: in the ephemeral range it can become an outgoing connect's own port, and a connect to it then
 * meets itself (TCP simultaneous open) instead of being refused. A bound port is never handed out so.
 */
final class RefusingPort implements AutoCloseable {
    private final Socket holder = new Socket();

    RefusingPort(final InetAddress address) throws IOException {
        holder.bind(new InetSocketAddress(address, 0));
    }

    int port() {
        return holder.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        holder.close();
    }
}
