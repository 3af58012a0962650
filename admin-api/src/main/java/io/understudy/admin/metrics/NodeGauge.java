package io.understudy.admin.metrics;

import com.codahale.metrics.Gauge;
import java.util.function.Supplier;

/**
 * A gauge of the node's state with the help text and kind Prometheus wants: a {@link Kind#COUNTER} only grows (it
 * restarts from 0 when the part that counts restarts, e.g. the relay after a takeover). Its value is null while the
 * part it reads does not run on this node (the relay on a backup): the metric is then left out of a scrape.
 */
public final class NodeGauge implements Gauge<Number> {
    /** How Prometheus should read the value. */
    public enum Kind {
        /** A value that goes up and down. */
        GAUGE,
        /** A count that only grows while its part runs. */
        COUNTER
    }

    private final Kind kind;
    private final String help;
    private final Supplier<Number> value;

    NodeGauge(final Kind kind, final String help, final Supplier<Number> value) {
        this.kind = kind;
        this.help = help;
        this.value = value;
    }

    public Kind kind() {
        return kind;
    }

    public String help() {
        return help;
    }

    @Override
    public Number getValue() {
        return value.get();
    }
}
