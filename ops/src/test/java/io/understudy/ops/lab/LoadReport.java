package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the load generator in the lab's client host against the VIP and checks its report the way a user reads it.
 */
final class LoadReport {
    private static final String[] FAULTS = {"skipped", "repeated", "corrupted", "errors", "resets"};

    /**
     * A request every 5 ms per connection: 20 connections ask for 4,000 a second, more than the lab's two cores
     * serve (about 2,500-3,000 through the relay while the backup taps them): every host in the lab is saturated.
     */
    static final long DEFAULT_INTERVAL_MS = 5;

    private LoadReport() {}

    /** Runs {@code loadgen} from the client host to VIP:port and returns its JSON report; every connection ok. */
    static JsonNode run(final int servicePort, final String protocol, final int connections, final int durationS) {
        return run(servicePort, protocol, connections, durationS, true);
    }

    /**
     * Runs {@code loadgen} and returns its JSON report; with {@code everyConnectionOk} false, a connection that ended
     * (a timeout, a reset) is allowed and left to the caller to judge from the report.
     */
    static JsonNode run(
            final int servicePort,
            final String protocol,
            final int connections,
            final int durationS,
            final boolean everyConnectionOk) {
        return run(servicePort, protocol, connections, DEFAULT_INTERVAL_MS, durationS, everyConnectionOk);
    }

    /** Like the above, each connection sending a request every {@code intervalMs} (or as soon as answered). */
    static JsonNode run(
            final int servicePort,
            final String protocol,
            final int connections,
            final long intervalMs,
            final int durationS,
            final boolean everyConnectionOk) {
        return run(servicePort, protocol, connections, intervalMs, durationS, null, everyConnectionOk);
    }

    /** Like the above; the run also ends once {@code stopFile} (when not null) exists (loadgen --stop-file). */
    static JsonNode run(
            final int servicePort,
            final String protocol,
            final int connections,
            final long intervalMs,
            final int durationS,
            final Path stopFile,
            final boolean everyConnectionOk) {
        return run(servicePort, protocol, connections, intervalMs, durationS, stopFile, null, everyConnectionOk);
    }

    /** Like the above; with {@code keyPrefix} (when not null), on the keys keyPrefix0.. (loadgen --key-prefix). */
    static JsonNode run(
            final int servicePort,
            final String protocol,
            final int connections,
            final long intervalMs,
            final int durationS,
            final Path stopFile,
            final String keyPrefix,
            final boolean everyConnectionOk) {
        final List<String> args = new ArrayList<>(List.of(
                "loadgen",
                "--host",
                Lab.VIP,
                "--port",
                String.valueOf(servicePort),
                "--protocol",
                protocol,
                "--connections",
                String.valueOf(connections),
                "--interval-ms",
                String.valueOf(intervalMs),
                "--duration-s",
                String.valueOf(durationS),
                "--json-only"));
        if (stopFile != null) {
            args.addAll(List.of("--stop-file", stopFile.toString()));
        }
        if (keyPrefix != null) {
            args.addAll(List.of("--key-prefix", keyPrefix));
        }
        final Lab.Result result =
                Lab.execOpsJar(Lab.CLIENT, Duration.ofSeconds(durationS + 120L), args.toArray(String[]::new));
        if (everyConnectionOk) {
            assertThat(result.exitCode()).as("loadgen: %s", result).isZero();
        } else {
            assertThat(result.exitCode())
                    .as("loadgen ran and reported: %s", result)
                    .isIn(0, 1);
        }
        try {
            return new ObjectMapper()
                    .readTree(result.stdout().lines().reduce((a, b) -> b).orElseThrow());
        } catch (final JsonProcessingException ex) {
            throw new AssertionError("loadgen printed no JSON report: " + result, ex);
        }
    }

    /** Every connection ok, a plausible number of replies for ~5 ms per request, and not one fault. */
    static void assertEveryReplyRight(final JsonNode report, final int connections, final int durationS) {
        assertThat(report.get("connections_total").asInt())
                .as("connections_total in %s", report)
                .isEqualTo(connections);
        assertThat(report.get("connections_ok").asInt())
                .as("connections_ok in %s", report)
                .isEqualTo(connections);
        assertThat(report.get("replies").asLong())
                .as("replies in %s", report)
                .isGreaterThan(connections * durationS * 10L);
        for (final String fault : FAULTS) {
            assertThat(report.get(fault).asLong()).as("%s in %s", fault, report).isZero();
        }
    }
}
