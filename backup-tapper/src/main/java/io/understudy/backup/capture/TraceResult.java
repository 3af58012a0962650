package io.understudy.backup.capture;

import io.understudy.backup.track.ConnectionSummary;
import java.util.List;
import java.util.Map;

/**
 * What reading a capture file gave: every connection's final state, in the order first seen, and how many frames
 * were skipped for each reason.
 *
 * @param connections  one summary per TCP connection to a service port.
 * @param frames       frames read.
 * @param skipped      frames not tracked, by reason (e.g. NOT_TCP, BAD_TCP_CHECKSUM, TRUNCATED).
 * @param wrongChecksums frames tracked although their IPv4 or TCP checksum is wrong (when not verifying).
 */
public record TraceResult(
        List<ConnectionSummary> connections, long frames, Map<String, Long> skipped, long wrongChecksums) {
    public TraceResult {
        connections = List.copyOf(connections);
        skipped = Map.copyOf(skipped);
    }
}
