package io.understudy.primary;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's connections by the port of its socket to the app (the port the app sees as its peer's), each with its
 * read-log id: the seed service asks from its own threads which connection an app-side port is. Written on the relay
 * thread, read from any.
 */
final class AppPorts {
    private final ConcurrentHashMap<Integer, Long> logIds = new ConcurrentHashMap<>();

    /** The connection logged as {@code logId} reached the app from {@code port}. */
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
        return logIds.getOrDefault(port, 0L);
    }

    void clear() {
        logIds.clear();
    }
}
