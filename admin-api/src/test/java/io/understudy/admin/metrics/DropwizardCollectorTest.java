package io.understudy.admin.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each kind of Dropwizard metric as the Prometheus text writer prints it, and the names it gets.
 */
class DropwizardCollectorTest {
    private final MetricRegistry registry = new MetricRegistry();

    @Test
    void shouldWriteANodeCounterWithHelpAndTotalSuffix() throws IOException {
        registry.register("understudy.relay.errors", new NodeGauge(NodeGauge.Kind.COUNTER, "Relay errors", () -> 3L));

        assertThat(scrape()).isEqualTo("""
            # HELP understudy_relay_errors_total Relay errors
            # TYPE understudy_relay_errors_total counter
            understudy_relay_errors_total 3.0
            """);
    }

    @Test
    void shouldWriteANodeGaugeAndLeaveOutOneThatReadsNull() throws IOException {
        registry.register("understudy.role.primary", new NodeGauge(NodeGauge.Kind.GAUGE, "Primary", () -> 1));
        registry.register("understudy.tap.frames", new NodeGauge(NodeGauge.Kind.COUNTER, "Frames", () -> null));

        assertThat(scrape()).isEqualTo("""
            # HELP understudy_role_primary Primary
            # TYPE understudy_role_primary gauge
            understudy_role_primary 1.0
            """);
    }

    @Test
    void shouldWriteDropwizardGaugesCountersAndMeters() throws IOException {
        registry.register("jvm.threads.count", (Gauge<Integer>) () -> 12);
        registry.register("a.flag", (Gauge<Boolean>) () -> true);
        registry.register("a.text", (Gauge<String>) () -> "not a number");
        registry.counter("jobs.queued").inc(4);
        registry.meter("io.dropwizard.jetty.MutableServletContextHandler.4xx-responses")
                .mark(2);

        final String text = scrape();

        assertThat(text)
                .contains("# HELP jvm_threads_count Dropwizard metric jvm.threads.count\n"
                        + "# TYPE jvm_threads_count gauge\njvm_threads_count 12.0\n");
        assertThat(text).contains("a_flag 1.0\n");
        assertThat(text).doesNotContain("a_text");
        assertThat(text).contains("# TYPE jobs_queued gauge\njobs_queued 4.0\n");
        assertThat(text)
                .contains("# TYPE io_dropwizard_jetty_MutableServletContextHandler_4xx_responses_total counter\n"
                        + "io_dropwizard_jetty_MutableServletContextHandler_4xx_responses_total 2.0\n");
    }

    @Test
    void shouldWriteATimerAsASummaryInSeconds() throws IOException {
        registry.timer("requests").update(250, TimeUnit.MILLISECONDS);

        final String text = scrape();

        assertThat(text).contains("# TYPE requests_seconds summary\n");
        assertThat(text).contains("requests_seconds{quantile=\"0.5\"} 0.25\n");
        assertThat(text).contains("requests_seconds_count 1\n");
    }

    @Test
    void shouldWriteAHistogramAsASummary() throws IOException {
        registry.histogram("sizes").update(7);

        final String text = scrape();

        assertThat(text).contains("# TYPE sizes summary\n", "sizes{quantile=\"0.99\"} 7.0\n", "sizes_count 1\n");
    }

    @Test
    void shouldMakeValidNames() {
        assertThat(DropwizardCollector.prometheusName("org.eclipse.jetty.percent-4xx-1m"))
                .isEqualTo("org_eclipse_jetty_percent_4xx_1m");
        assertThat(DropwizardCollector.prometheusName("2xx.responses")).isEqualTo("_2xx_responses");
        assertThat(DropwizardCollector.prometheusName("pool.created")).isEqualTo("pool_created");
    }

    @Test
    void shouldNotDoubleTheTotalOfACounterWhoseNameHasOne() throws IOException {
        registry.meter("ch.qos.logback.core.Appender.total").mark();
        registry.meter("ch.qos.logback.core.Appender.info").mark(2);

        assertThat(scrape())
                .contains("ch_qos_logback_core_Appender_total 1.0\n", "ch_qos_logback_core_Appender_info_total 2.0\n");
    }

    @Test
    void shouldKeepTheFirstOfTwoMetricsWithTheSamePrometheusName() throws IOException {
        registry.register("a.b", (Gauge<Integer>) () -> 1);
        registry.register("a-b", (Gauge<Integer>) () -> 2);

        assertThat(scrape()).contains("a_b 2.0\n").doesNotContain("a_b 1.0");
    }

    private String scrape() throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create()
                .write(out, new DropwizardCollector(registry).collect(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8);
    }
}
