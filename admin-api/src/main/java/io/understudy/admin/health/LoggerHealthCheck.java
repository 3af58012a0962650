package io.understudy.admin.health;

import com.codahale.metrics.health.HealthCheck;
import io.understudy.admin.core.LogSettings;
import io.understudy.admin.core.Node;
import io.understudy.admin.core.Role;
import io.understudy.backup.TapStats;
import io.understudy.logger.LogServerStats;
import io.understudy.primary.ReadLogStats;
import java.util.Optional;

/**
 * "logger": the read log works. On the primary: the logger is connected (or the read log is off), else unhealthy
 * with why protection is degraded. On the backup: it runs the logger (unless a third host does) and its tap follows
 * the log.
 */
public final class LoggerHealthCheck extends HealthCheck {
    private final Node node;

    public LoggerHealthCheck(final Node node) {
        this.node = node;
    }

    @Override
    protected Result check() {
        final LogSettings log = node.settings().getLog();
        if (!log.isEnabled()) {
            return Result.healthy("read log disabled (node.log.enabled: false)");
        }
        return node.role() == Role.PRIMARY ? checkPrimary() : checkBackup(log);
    }

    private Result checkPrimary() {
        final Optional<ReadLogStats> shipping = node.readLogStats();
        if (shipping.isEmpty()) {
            return Result.unhealthy("primary is not relaying, so it ships no read log");
        }
        final ReadLogStats stats = shipping.get();
        if (!stats.enabled()) {
            return Result.healthy("read log disabled");
        }
        if (!stats.connected()) {
            return Result.unhealthy(stats.degraded() == null ? "logger not connected" : stats.degraded());
        }
        return Result.healthy(
                "logger connected (" + stats.commit() + " commit): " + stats.shipped() + " shipped, " + stats.acked()
                        + " acked, lag " + stats.lagRecords() + " records (" + stats.lagMs() + " ms)"
                        + (stats.degraded() == null ? "" : "; degraded: " + stats.degraded()));
    }

    private Result checkBackup(final LogSettings log) {
        final Optional<LogServerStats> logger = node.loggerStats();
        final boolean local = log.getLogger().isBlank();
        if (local && logger.isEmpty()) {
            return Result.unhealthy("the logger is not running on this backup");
        }
        final Optional<TapStats> tap = node.tapStats();
        if (tap.isPresent() && !tap.get().readLogConnected()) {
            return Result.unhealthy(
                    "the tap does not follow the read log at " + (local ? "this node's logger" : log.getLogger()));
        }
        return Result.healthy(logger.map(stats -> "logger: " + stats.appended() + " appended, "
                                + stats.writersConnected() + " writers, " + stats.tailsConnected()
                                + " tails" + (stats.lastError() == null ? "" : ", last error " + stats.lastError()))
                        .orElse("logger on " + log.getLogger())
                + (tap.isPresent() ? "; the tap follows the read log" : ""));
    }
}
