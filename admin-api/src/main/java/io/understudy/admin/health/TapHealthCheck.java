package io.understudy.admin.health;

import com.codahale.metrics.health.HealthCheck;
import io.understudy.admin.core.Node;
import io.understudy.admin.core.Role;
import io.understudy.backup.TapStats;

/**
 * "tap": a backup's tap is capturing the service's traffic. A primary does not tap and is healthy here.
 */
public final class TapHealthCheck extends HealthCheck {
    private final Node node;

    public TapHealthCheck(final Node node) {
        this.node = node;
    }

    @Override
    protected Result check() {
        if (node.role() != Role.BACKUP) {
            return Result.healthy("not tapping: the primary relays, the backup taps");
        }
        return node.tapStats()
                .filter(TapStats::running)
                .map(tap -> Result.healthy(
                        "capturing on " + node.settings().getTap().getInterfaceName() + ": " + tap.frames()
                                + " frames, " + tap.connectionsTracked() + " connections tracked, " + tap.replicas()
                                + " replicas, "
                                + tap.kernelDrops() + " dropped by the kernel"))
                .orElseGet(() -> Result.unhealthy("backup is not tapping"));
    }
}
