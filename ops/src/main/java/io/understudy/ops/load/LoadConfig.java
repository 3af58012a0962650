package io.understudy.ops.load;

/**
 * Settings of one load run, already validated by the command line.
 *
 * @param intervalMs the time between two requests of one connection; 0 sends the next as soon as a reply arrives
 * @param keyPrefix connection i increments the key keyPrefix + i
 */
record LoadConfig(
        String host,
        int port,
        int connections,
        long intervalMs,
        long durationMs,
        Protocol protocol,
        String keyPrefix,
        int connectTimeoutMs,
        long replyTimeoutMs) {

    String key(final int index) {
        return keyPrefix + index;
    }
}
