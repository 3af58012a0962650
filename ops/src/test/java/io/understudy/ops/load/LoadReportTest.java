package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Totals, percentiles and the JSON line of a load run, from hand-made connection results. */
final class LoadReportTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldTakeNearestRankWhenComputingPercentiles() {
        final long[] sorted = new long[100];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i + 1;
        }

        assertThat(LoadReport.percentileNs(sorted, 0.50)).isEqualTo(50);
        assertThat(LoadReport.percentileNs(sorted, 0.99)).isEqualTo(99);
        assertThat(LoadReport.percentileNs(new long[] {7}, 0.99)).isEqualTo(7);
        assertThat(LoadReport.percentileNs(new long[0], 0.5)).isZero();
    }

    @Test
    void shouldSumFaultsAndMergeLatenciesWhenConnectionsDiffer() {
        final LoadReport report = LoadReport.of(
                List.of(
                        new ConnectionResult(
                                0,
                                2,
                                0,
                                0,
                                0,
                                0,
                                0,
                                3 * MS,
                                new long[] {3 * MS, 1 * MS},
                                null,
                                new long[0],
                                41000,
                                null),
                        new ConnectionResult(
                                1,
                                1,
                                1,
                                0,
                                0,
                                0,
                                1,
                                9 * MS,
                                new long[] {2 * MS},
                                "java.net.SocketException: x",
                                new long[0],
                                41001,
                                null)),
                1_234_567_890L,
                Protocol.LINE);

        assertThat(report.toJson())
                .isEqualTo("{\"connections_ok\":1,\"connections_total\":2,\"replies\":3,"
                        + "\"skipped\":1,\"repeated\":0,\"corrupted\":0,\"errors\":0,\"resets\":1,\"max_stall_ms\":9.000,"
                        + "\"stall_p99_ms\":9.000,"
                        + "\"latency_p50_ms\":2.000,\"latency_p99_ms\":3.000,\"duration_s\":1.235,\"failed_local_ports\":[41001],"
                        + "\"protocol\":\"line\"}");
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.problems())
                .containsExactly("connection 1 (local port 41001): 1 replies, skipped=1 repeated=0 corrupted=0"
                        + " errors=0 resets=1, stopped: java.net.SocketException: x");
    }

    @Test
    void shouldNameTheFirstBadReplyInTheProblemLineButNotInTheJson() {
        final LoadReport report = LoadReport.of(
                List.of(new ConnectionResult(
                        0, 9, 0, 0, 0, 6, 0, 1, new long[] {1}, null, new long[0], 41000, "'NOT_FOUND'")),
                1_000_000_000L,
                Protocol.MEMCACHED);

        assertThat(report.problems())
                .containsExactly("connection 0 (local port 41000): 9 replies, skipped=0 repeated=0 corrupted=0"
                        + " errors=6 resets=0, first bad reply: 'NOT_FOUND'");
        assertThat(report.toJson())
                .doesNotContain("NOT_FOUND")
                .endsWith(",\"errors\":6,\"resets\":0,\"max_stall_ms\":0.000,\"stall_p99_ms\":0.000,"
                        + "\"latency_p50_ms\":0.000,\"latency_p99_ms\":0.000,\"duration_s\":1.000,"
                        + "\"failed_local_ports\":[41000],\"protocol\":\"memcached\"}");
    }

    @Test
    void shouldExitZeroWhenEveryConnectionIsOk() {
        final LoadReport report = LoadReport.of(
                List.of(new ConnectionResult(0, 1, 0, 0, 0, 0, 0, 0, new long[] {1}, null, new long[0], 41000, null)),
                1,
                Protocol.RESP);

        assertThat(report.exitCode()).isZero();
        assertThat(report.toJson()).endsWith("\"protocol\":\"resp\"}");
    }
}
