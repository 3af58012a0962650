package io.understudy.backup.track;

import java.util.Set;

/**
 * Limits and knobs of the TCP tracker.
 *
 * @param servicePorts        ports the service listens on: the side on one of them is the server.
 * @param streamCapBytes      bytes retained per stream at most before that stream is marked overflowed.
 * @param globalCapBytes      bytes retained across all streams at most.
 * @param maxPiecesAhead      out-of-order pieces kept per stream while waiting for a hole to fill.
 * @param maxConnections      connections tracked at once; more are counted and ignored.
 * @param closedLingerNs      how long a closed or reset connection is kept for late segments before it is dropped.
 */
public record TrackerConfig(
        Set<Integer> servicePorts,
        int streamCapBytes,
        long globalCapBytes,
        int maxPiecesAhead,
        int maxConnections,
        long closedLingerNs) {
    public static TrackerConfig defaults(final Set<Integer> servicePorts) {
        return new TrackerConfig(servicePorts, 16 * 1024 * 1024, 512L * 1024 * 1024, 4096, 65536, 60_000_000_000L);
    }

    public TrackerConfig {
        servicePorts = Set.copyOf(servicePorts);
        if (servicePorts.isEmpty()) {
            throw new IllegalArgumentException("at least one service port is needed");
        }
        if (streamCapBytes < 0
                || globalCapBytes < 0
                || maxPiecesAhead < 0
                || maxConnections < 1
                || closedLingerNs < 0) {
            throw new IllegalArgumentException("negative limit in " + this);
        }
    }
}
