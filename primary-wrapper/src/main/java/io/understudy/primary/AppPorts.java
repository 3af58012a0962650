package io.understudy.primary;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's connections by the port of its socket to the app (the port the app sees as its peer's), each with its
 * read-log id: the seed service asks from its own threads which connection an app-side port is. Written on the relay
 * thread, read from any.
 *
 * <p>The app learns a port from the connect's SYN and may ask about it at once (PostgreSQL's postmaster, through the
 * shim, as it accepts). So a connect and the filing of its port are one step to a reader: a reader that does not find
 * a port waits for a connect under way to be filed, and a port still unknown then is no connection of the relay's.
 */
final class AppPorts {
    private final ConcurrentHashMap<Integer, Long> logIds = new ConcurrentHashMap<>();

    /**
     * Connects {@code app} to {@code address} (non-blocking; {@code app.isConnected()} says whether it completed at
     * once) and files it under the port the kernel gave it.
     *
     * @return that port.
     */
    synchronized int connect(final SocketChannel app, final SocketAddress address, final long logId)
            throws IOException {
        app.connect(address);
        final int port = Sockets.localPort(app);
        connected(port, logId);
        return port;
    }

    /** The connection logged as {@code logId} has a socket to the app with {@code port}. */
    void connected(final int port, final long logId) {
        if (port > 0 && logId != 0) {
            logIds.put(port, logId);
        }
    }

    /** It closed: the port is forgotten, unless a newer connection already took it. */
    void closed(final int port, final long logId) {
        if (port > 0) {
            logIds.remove(port, logId);
        }
    }

    /** The read-log id of the connection whose socket to the app has {@code port}, 0 when none. */
    long logIdOf(final int port) {
        final Long logId = logIds.get(port);
        if (logId != null) {
            return logId;
        }
        synchronized (this) {
            return logIds.getOrDefault(port, 0L);
        }
    }

    void clear() {
        logIds.clear();
    }
}
