package io.understudy.primary;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections by the port of their socket to the app (the port the app sees as its peer's): the relay's on a
 * primary, the replicas' on a backup. The seed service asks from its own threads which connection an app-side port
 * is. Written on the relay's or the capture's thread, read from any.
 *
 * <p>The app learns a port from the connect's SYN and may ask about it at once (PostgreSQL's postmaster, through the
 * shim, as it accepts). So a connect and the filing of its port are one step to a reader: a reader that does not find
 * a port waits for a connect under way to be filed, and a port still unknown then is none of these connections'.
 *
 * @param <T> what a port names: the relay's read-log id, the backup's tracked connection.
 */
public final class AppSidePorts<T> {
    private final ConcurrentHashMap<Integer, T> byPort = new ConcurrentHashMap<>();

    /**
     * Connects {@code app} to {@code address} (non-blocking; {@code app.isConnected()} says whether it completed at
     * once) and files it under the port the kernel gave it, as {@code value} (null: not filed).
     *
     * @return that port.
     */
    public synchronized int connect(final SocketChannel app, final SocketAddress address, final T value)
            throws IOException {
        app.connect(address);
        final int port = Sockets.localPort(app);
        file(port, value);
        return port;
    }

    /** The connection {@code value} has a socket to the app with {@code port} (0, or a null value: nothing filed). */
    public void file(final int port, final T value) {
        if (port > 0 && value != null) {
            byPort.put(port, value);
        }
    }

    /** It closed: the port is forgotten, unless a newer connection already took it. */
    public void forget(final int port, final T value) {
        if (port > 0 && value != null) {
            byPort.remove(port, value);
        }
    }

    /** What {@code port} names, null when none. */
    public T get(final int port) {
        final T value = byPort.get(port);
        if (value != null) {
            return value;
        }
        synchronized (this) {
            return byPort.get(port);
        }
    }

    public void clear() {
        byPort.clear();
    }
}
