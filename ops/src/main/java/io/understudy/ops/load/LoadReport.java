package io.understudy.ops.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Totals of one load run over all connections, printed as one JSON line with a fixed key order (for scripts and lab
 * tests) and as a short readable summary.
 *
 * @param stallP99Ns the 99th percentile, over connections, of each connection's longest stall
 * @param problems one line per connection that was not ok
 * @param failedLocalPorts the client ports of the connections that were not ok (0 for one that never connected), to
 *     find them in a failover report
 */
record LoadReport(
        int connectionsOk,
        int connectionsTotal,
        long replies,
        long skipped,
        long repeated,
        long corrupted,
        long errors,
        long resets,
        long maxStallNs,
        long stallP99Ns,
        long latencyP50Ns,
        long latencyP99Ns,
        long durationNs,
        Protocol protocol,
        List<String> problems,
        List<Integer> failedLocalPorts) {

    /** The summary lists at most this many problem connections. */
    static final int MAX_PROBLEM_LINES = 10;

    static LoadReport of(final List<ConnectionResult> results, final long durationNs, final Protocol protocol) {
        int connectionsOk = 0;
        long replies = 0;
        long skipped = 0;
        long repeated = 0;
        long corrupted = 0;
        long errors = 0;
        long resets = 0;
        long maxStallNs = 0;
        final List<String> problems = new ArrayList<>();
        final List<Integer> failedLocalPorts = new ArrayList<>();
        for (final ConnectionResult result : results) {
            if (result.isOk()) {
                connectionsOk++;
            } else {
                problems.add(result.describeProblem());
                failedLocalPorts.add(result.localPort());
            }
            replies += result.replies();
            skipped += result.skipped();
            repeated += result.repeated();
            corrupted += result.corrupted();
            errors += result.errors();
            resets += result.resets();
            maxStallNs = Math.max(maxStallNs, result.maxStallNs());
        }
        final long[] sortedNs = sortedLatencies(results);
        final long[] stallsNs = results.stream()
                .mapToLong(ConnectionResult::maxStallNs)
                .sorted()
                .toArray();
        return new LoadReport(
                connectionsOk,
                results.size(),
                replies,
                skipped,
                repeated,
                corrupted,
                errors,
                resets,
                maxStallNs,
                percentileNs(stallsNs, 0.99),
                percentileNs(sortedNs, 0.50),
                percentileNs(sortedNs, 0.99),
                durationNs,
                protocol,
                List.copyOf(problems),
                List.copyOf(failedLocalPorts));
    }

    /** @return 0 when every connection was ok, 1 otherwise */
    int exitCode() {
        return connectionsOk == connectionsTotal ? 0 : 1;
    }

    String toJson() {
        return "{\"connections_ok\":" + connectionsOk
                + ",\"connections_total\":" + connectionsTotal
                + ",\"replies\":" + replies
                + ",\"skipped\":" + skipped
                + ",\"repeated\":" + repeated
                + ",\"corrupted\":" + corrupted
                + ",\"errors\":" + errors
                + ",\"resets\":" + resets
                + ",\"max_stall_ms\":" + millis(maxStallNs)
                + ",\"stall_p99_ms\":" + millis(stallP99Ns)
                + ",\"latency_p50_ms\":" + millis(latencyP50Ns)
                + ",\"latency_p99_ms\":" + millis(latencyP99Ns)
                + ",\"duration_s\":" + String.format(Locale.ROOT, "%.3f", durationNs / 1e9)
                + ",\"failed_local_ports\":" + failedLocalPorts
                + ",\"protocol\":\"" + protocol.wireName() + "\"}";
    }

    /** @return a few lines for a person, each ending in "\n" */
    String toSummary(final LoadConfig config) {
        final StringBuilder summary = new StringBuilder();
        summary.append(String.format(
                Locale.ROOT,
                "loadgen %s:%d (%s): %d/%d connections ok, %d replies in %.3f s%n",
                config.host(),
                config.port(),
                protocol.wireName(),
                connectionsOk,
                connectionsTotal,
                replies,
                durationNs / 1e9));
        summary.append(String.format(
                Locale.ROOT,
                "faults: skipped=%d repeated=%d corrupted=%d errors=%d resets=%d%n",
                skipped,
                repeated,
                corrupted,
                errors,
                resets));
        summary.append(String.format(
                Locale.ROOT,
                "latency p50=%s ms p99=%s ms, stall max %s ms p99 %s ms (keys %s0..%d)%n",
                millis(latencyP50Ns),
                millis(latencyP99Ns),
                millis(maxStallNs),
                millis(stallP99Ns),
                config.keyPrefix(),
                connectionsTotal - 1));
        problems.stream()
                .limit(MAX_PROBLEM_LINES)
                .forEach(line -> summary.append(line).append(System.lineSeparator()));
        if (problems.size() > MAX_PROBLEM_LINES) {
            summary.append("... and ")
                    .append(problems.size() - MAX_PROBLEM_LINES)
                    .append(" more connections not ok")
                    .append(System.lineSeparator());
        }
        return summary.toString();
    }

    /** Nearest-rank percentile: the smallest latency that at least this fraction of replies did not exceed. */
    static long percentileNs(final long[] sortedNs, final double fraction) {
        if (sortedNs.length == 0) {
            return 0;
        }
        final int rank = (int) Math.ceil(fraction * sortedNs.length);
        return sortedNs[Math.min(sortedNs.length, Math.max(1, rank)) - 1];
    }

    private static long[] sortedLatencies(final List<ConnectionResult> results) {
        final long[] merged = new long
                [results.stream()
                        .mapToInt(result -> result.latenciesNs().length)
                        .sum()];
        int offset = 0;
        for (final ConnectionResult result : results) {
            System.arraycopy(result.latenciesNs(), 0, merged, offset, result.latenciesNs().length);
            offset += result.latenciesNs().length;
        }
        Arrays.sort(merged);
        return merged;
    }

    private static String millis(final long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
