package io.understudy.logger;

import java.util.concurrent.TimeUnit;

/**
 * What a {@link LogServer} grants a connection, so a stranger or a slow peer cannot take its memory or threads.
 *
 * @param maxConnections     connections open at once (handshaking, writer and tails); one more is closed at once.
 * @param handshakeTimeoutMs the time a connection has to complete the fixed-size handshake.
 * @param frameTimeoutMs     the time a frame has from its first byte to its last (slowloris).
 * @param writerSilenceMs    a writer not heard for this long (no RECORD, GAP or KEEPALIVE) is closed; its place
 *                           goes to the next writer.
 * @param maxSeqAheadMs      how far ahead of the logger's clock a writer's GAP may announce its next seq.
 */
record LogServerLimits(
        int maxConnections, long handshakeTimeoutMs, long frameTimeoutMs, long writerSilenceMs, long maxSeqAheadMs) {
    static final int DEFAULT_MAX_CONNECTIONS = 64;
    static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 2_000;
    static final long DEFAULT_FRAME_TIMEOUT_MS = 5_000;
    static final long DEFAULT_WRITER_SILENCE_MS = 5_000;
    static final long DEFAULT_MAX_SEQ_AHEAD_MS = TimeUnit.MINUTES.toMillis(10);

    LogServerLimits {
        Checks.inRange("maxConnections", maxConnections, 1, 65_536);
        Checks.inRange("handshakeTimeoutMs", handshakeTimeoutMs, 1, Integer.MAX_VALUE);
        Checks.inRange("frameTimeoutMs", frameTimeoutMs, 1, Integer.MAX_VALUE);
        Checks.inRange("writerSilenceMs", writerSilenceMs, 2 * LogProtocol.KEEPALIVE_INTERVAL_MS, Integer.MAX_VALUE);
        Checks.inRange("maxSeqAheadMs", maxSeqAheadMs, 0, TimeUnit.DAYS.toMillis(1));
    }

    static LogServerLimits defaults() {
        return new LogServerLimits(
                DEFAULT_MAX_CONNECTIONS,
                DEFAULT_HANDSHAKE_TIMEOUT_MS,
                DEFAULT_FRAME_TIMEOUT_MS,
                DEFAULT_WRITER_SILENCE_MS,
                DEFAULT_MAX_SEQ_AHEAD_MS);
    }
}
