package io.understudy.admin.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads Dropwizard's metric registry at each scrape and hands it to the Prometheus client library, which writes the
 * exposition format. Names become Prometheus names (dots and other characters to '_'); a {@link NodeGauge} keeps its
 * help text and kind (a counter gets {@code _total}); other gauges holding a number or a boolean are gauges; a
 * Dropwizard counter is a gauge (it can go down); a meter is a counter of its events; a histogram is a summary and a
 * timer a summary in seconds ({@code _seconds}). A null or non-numeric gauge is left out, and so is a metric whose
 * Prometheus name an earlier one (by Dropwizard name) took.
 */
public final class DropwizardCollector implements MultiCollector {
    private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};
    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final MetricRegistry registry;

    public DropwizardCollector(final MetricRegistry registry) {
        this.registry = registry;
    }

    @Override
    public MetricSnapshots collect() {
        final MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        final Set<String> taken = new HashSet<>();
        for (final Map.Entry<String, Metric> entry : new TreeMap<>(registry.getMetrics()).entrySet()) {
            final MetricSnapshot snapshot = snapshot(entry.getKey(), entry.getValue());
            if (snapshot != null && claim(taken, snapshot)) {
                snapshots.metricSnapshot(snapshot);
            }
        }
        return snapshots.build();
    }

    private static MetricSnapshot snapshot(final String dropwizardName, final Metric metric) {
        final String name = prometheusName(dropwizardName);
        final String help = "Dropwizard metric " + dropwizardName;
        if (metric instanceof NodeGauge gauge) {
            final Number value = gauge.getValue();
            if (value == null) {
                return null;
            }
            return gauge.kind() == NodeGauge.Kind.COUNTER
                    ? counter(name, gauge.help(), value.doubleValue())
                    : gauge(name, gauge.help(), value.doubleValue());
        }
        if (metric instanceof Gauge<?> gauge) {
            final Object value = gauge.getValue();
            if (value instanceof Number number) {
                return gauge(name, help, number.doubleValue());
            }
            return value instanceof Boolean on ? gauge(name, help, on ? 1 : 0) : null;
        }
        if (metric instanceof Counter counter) {
            return gauge(name, help, counter.getCount());
        }
        if (metric instanceof Meter meter) {
            return counter(name, help, meter.getCount());
        }
        if (metric instanceof Timer timer) {
            return summary(
                    name.endsWith("_seconds") ? name : name + "_seconds",
                    help,
                    timer.getCount(),
                    timer.getSnapshot(),
                    NANOS_PER_SECOND);
        }
        if (metric instanceof Histogram histogram) {
            return summary(name, help, histogram.getCount(), histogram.getSnapshot(), 1);
        }
        return null;
    }

    private static MetricSnapshot gauge(final String name, final String help, final double value) {
        return GaugeSnapshot.builder()
                .name(name)
                .help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value(value)
                        .build())
                .build();
    }

    private static MetricSnapshot counter(final String name, final String help, final double value) {
        return CounterSnapshot.builder()
                .name(name)
                .help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .value(value)
                        .build())
                .build();
    }

    private static MetricSnapshot summary(
            final String name, final String help, final long count, final Snapshot values, final double divisor) {
        final Quantiles.Builder quantiles = Quantiles.builder();
        for (final double quantile : QUANTILES) {
            quantiles.quantile(new Quantile(quantile, values.getValue(quantile) / divisor));
        }
        return SummarySnapshot.builder()
                .name(name)
                .help(help)
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder()
                        .count(count)
                        .quantiles(quantiles.build())
                        .build())
                .build();
    }

    /** Takes the names the snapshot will be written under; false (and nothing taken) if one is taken already. */
    private static boolean claim(final Set<String> taken, final MetricSnapshot snapshot) {
        final String name = snapshot.getMetadata().getPrometheusName();
        final Set<String> names = snapshot instanceof CounterSnapshot
                ? Set.of(name, name + "_total", name + "_created")
                : snapshot instanceof SummarySnapshot ? Set.of(name, name + "_count", name + "_sum") : Set.of(name);
        for (final String each : names) {
            if (taken.contains(each)) {
                return false;
            }
        }
        taken.addAll(names);
        return true;
    }

    /**
     * A valid Prometheus name for a Dropwizard one: every character but [a-zA-Z0-9_:] becomes '_', and a leading digit
     * gets a '_' before it. A counter's own _total is left for the client library, which drops it and writes one.
     */
    static String prometheusName(final String dropwizardName) {
        final StringBuilder name = new StringBuilder(dropwizardName.length() + 1);
        for (int i = 0; i < dropwizardName.length(); i++) {
            final char c = dropwizardName.charAt(i);
            final boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
            final boolean digit = c >= '0' && c <= '9';
            if (i == 0 && digit) {
                name.append('_');
            }
            name.append(letter || digit ? c : '_');
        }
        return name.length() == 0 ? "_" : name.toString();
    }
}
