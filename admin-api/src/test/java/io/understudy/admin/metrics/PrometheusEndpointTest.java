package io.understudy.admin.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.understudy.admin.health.TestNode;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GET /prometheus on the admin port of real nodes in this JVM (and GET /metrics on the API port): the node's metrics
 * under Prometheus names, with help text and type, next to Dropwizard's own (Jetty's here; the JVM's too when run from
 * the command line).
 */
@Timeout(120)
class PrometheusEndpointTest {
    private final TestNode.Ports ports = new TestNode.Ports();
    private TestNode primary;
    private TestNode backup;

    @AfterEach
    void stop() throws Exception {
        ports.close();
    }

    @Test
    void shouldExportEveryMetricTheAlertRulesUse() throws Exception {
        primary = ports.nodeA("primary", "node.log.enabled", "false").start();
        final java.util.Set<String> exported = new java.util.TreeSet<>();
        primary.metrics()
                .getGauges((name, metric) -> name.startsWith(NodeMetrics.PREFIX))
                .forEach((name, gauge) -> exported.add(DropwizardCollector.prometheusName(name)
                        + (gauge instanceof NodeGauge node && node.kind() == NodeGauge.Kind.COUNTER ? "_total" : "")));
        final String rules =
                java.nio.file.Files.readString(java.nio.file.Path.of("../ops/prometheus/understudy-rules.yml"));
        final java.util.Set<String> used = new java.util.TreeSet<>();
        java.util.regex.Pattern.compile("\\bunderstudy_[a-z_]+")
                .matcher(rules)
                .results()
                .forEach(match -> used.add(match.group()));

        assertThat(used)
                .as("metric names in ops/prometheus/understudy-rules.yml")
                .hasSizeGreaterThan(10);
        assertThat(exported).as("what the node exports").containsAll(used);
    }

    @Test
    void shouldServeThePrimarysMetricsInPrometheusTextFormat() throws Exception {
        primary = ports.nodeA("primary", "node.log.enabled", "false").start();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), ports.service)) {
            assertThat(client.isConnected()).isTrue();
            awaitScrape(primary, "understudy_relay_connections_accepted_total 1.0");
        }

        final HttpResponse<String> response = primary.admin("/prometheus");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(response.body())
                .contains(
                        "# HELP understudy_role_primary 1 when this node is the primary, 0 when it is the backup\n",
                        "# TYPE understudy_role_primary gauge\n",
                        "understudy_role_primary 1.0\n",
                        "# TYPE understudy_relay_connections_accepted_total counter\n",
                        "understudy_relay_connections_accepted_total 1.0\n",
                        "understudy_relay_client_to_app_bytes_total 0.0\n",
                        "understudy_relay_app_to_client_bytes_total 0.0\n",
                        "understudy_relay_errors_total 0.0\n",
                        "understudy_peer_present 0.0\n",
                        "understudy_takeover_failed 0.0\n",
                        "understudy_read_log_enabled 0.0\n",
                        "understudy_read_log_connected 0.0\n",
                        "# TYPE io_dropwizard_jetty_MutableServletContextHandler_requests_seconds summary\n");
        assertThat(response.body())
                .doesNotContain("understudy_tap_")
                .doesNotContain("understudy_logger_")
                .doesNotContain("understudy_last_failover_")
                .doesNotContain("understudy_heartbeat_age_seconds");
        assertThat(primary.api("GET", "/metrics", null).body())
                .as("the API port's copy, for a remote scraper")
                .contains("understudy_role_primary 1.0\n", "understudy_relay_connections_accepted_total 1.0\n");
    }

    @Test
    void shouldServeTheBackupsTapAndLoggerMetrics() throws Exception {
        assumeTrue(TestNode.canCapture(), "the backup's tap needs root (CAP_NET_RAW)");
        primary = ports.nodeA("primary").start();
        backup = ports.nodeB("backup").start();
        awaitScrape(primary, "understudy_read_log_connected 1.0");

        final String text = backup.admin("/prometheus").body();

        assertThat(text)
                .contains(
                        "understudy_role_primary 0.0\n",
                        "understudy_peer_present 1.0\n",
                        "understudy_tap_running 1.0\n",
                        "# TYPE understudy_tap_frames_total counter\n",
                        "understudy_tap_frames_total ",
                        "understudy_tap_kernel_dropped_frames_total ",
                        "understudy_tap_connections_tracked ",
                        "understudy_tap_replicas ",
                        "understudy_tap_connections_refused_over_limit_total 0.0\n",
                        "understudy_tap_replica_failures_total 0.0\n",
                        "understudy_tap_connections_reset_total ",
                        "understudy_tap_read_log_connected ",
                        "understudy_logger_appended_records_total ",
                        "understudy_logger_writers_connected ",
                        "understudy_logger_auth_failures_total ",
                        "understudy_logger_writers_refused_total ",
                        "understudy_logger_seq_jumps_refused_total ",
                        "understudy_logger_connections_refused_total ",
                        "understudy_logger_connections_open ",
                        "understudy_heartbeat_age_seconds ");
        assertThat(text).doesNotContain("understudy_relay_").doesNotContain("understudy_read_log_enabled");
        assertThat(primary.admin("/prometheus").body())
                .contains(
                        "understudy_read_log_enabled 1.0\n",
                        "understudy_read_log_shipped_records_total ",
                        "understudy_read_log_lag_records ",
                        "understudy_read_log_lag_ms ",
                        "understudy_read_log_held_for_lag_total ",
                        "understudy_read_log_degraded 0.0\n");
    }

    /** Scrapes until the text has {@code line} or 15 s pass. */
    private static void awaitScrape(final TestNode node, final String line) {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!node.admin("/prometheus").body().contains(line) && System.nanoTime() < deadlineNs) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        assertThat(node.admin("/prometheus").body()).contains(line);
    }
}
