package io.understudy.backup;

import java.util.Map;

/**
 * The tap's counters, for the admin API, health checks and tests.
 *
 * @param running            the capture loop is running.
 * @param frames             frames captured.
 * @param skipped            frames not tracked, by reason.
 * @param segments           TCP segments tracked.
 * @param kernelDrops        frames the kernel dropped because the capture buffer was full (lost to the tap).
 * @param connectionsTracked connections in the table now (closed ones linger a while).
 * @param connectionsOpened  connections seen since start.
 * @param connectionsMidStream connections picked up after they opened (options unknown).
 * @param overflowedStreams  streams whose retained bytes hit a cap (their connection cannot be restored).
 * @param retainedBytes      stream bytes held now.
 * @param logRecords         tap events appended to the event log.
 * @param logFailures        tap events the event log refused (disk full, ...) or its writer dropped (its queue full):
 *                           replay is incomplete.
 * @param replicas           connections with a live hot replica (protected).
 * @param divergences        connections whose replica's output differed from the primary's.
 * @param errors             errors the capture loop caught and counted.
 * @param mode               "hot" (replicas fed as the primary runs) or "replay" (cold: replayed at takeover).
 * @param readLogConnected   the tap follows the primary's read log at the logger now.
 * @param readLogRecords     records of the read log taken in.
 * @param readLogLastIndex   the log index of the last record taken in (-1 before any).
 * @param connectionsLogged  tapped connections matched with the primary's log of them.
 * @param clientBytesFromLog client bytes the tap missed and took from the read log.
 * @param serverBytesFromReplica server bytes the tap missed and took from the replica's output.
 * @param readLogUnmatchedDropped logged connections the tap never matched, dropped (oldest first) to keep their
 *                                number and bytes within the tracker's maxConnections and globalCapBytes.
 * @param connectionsClosed  connections the tap saw close with a FIN each way.
 * @param connectionsReset   connections the tap saw reset.
 * @param connectionsRefusedOverLimit connections the tap could not track, its table full (tap.maxConnections):
 *                                    not protected.
 * @param replicaFailures    replica connections that could not be opened or failed: those connections are not
 *                           protected.
 * @param divergencePolicy   "exact" or "same-length (...)": what differences leave a connection protected.
 * @param toleratedDifferences same-length differences between a replica's output and the primary's that left the
 *                           connection protected (0 in exact mode).
 * @param toleratedDifferingBytes the differing bytes in them.
 */
public record TapStats(
        boolean running,
        long frames,
        Map<String, Long> skipped,
        long segments,
        long kernelDrops,
        long connectionsTracked,
        long connectionsOpened,
        long connectionsMidStream,
        long overflowedStreams,
        long retainedBytes,
        long logRecords,
        long logFailures,
        long replicas,
        long divergences,
        long errors,
        String mode,
        boolean readLogConnected,
        long readLogRecords,
        long readLogLastIndex,
        long connectionsLogged,
        long clientBytesFromLog,
        long serverBytesFromReplica,
        long readLogUnmatchedDropped,
        long connectionsClosed,
        long connectionsReset,
        long connectionsRefusedOverLimit,
        long replicaFailures,
        String divergencePolicy,
        long toleratedDifferences,
        long toleratedDifferingBytes) {
    public TapStats {
        skipped = Map.copyOf(skipped);
    }
}
