package io.understudy.admin.health;

import com.codahale.metrics.health.HealthCheck;

import io.understudy.admin.core.Node;
import io.understudy.admin.core.Role;
import io.understudy.backup.TapStats;
import io.understudy.primary.PrimaryWrapper;

/**
 * Healthy when the node does what its role asks: a primary's relay is accepting clients; a backup's tap is capturing.
 */
public final class RoleHealthCheck extends HealthCheck
{
    private final Node node;

    public RoleHealthCheck(final Node node)
    {
        this.node = node;
    }

    @Override
    protected Result check()
    {
        if (node.takeoverFailure().isPresent())
        {
            return Result.unhealthy("takeover failed at " + node.takeoverFailure().get());
        }
        if (node.role() == Role.BACKUP)
        {
            return node.tapStats()
                .filter(TapStats::running)
                .map(tap -> Result.healthy("tapping: " + tap.frames() + " frames, " + tap.connectionsTracked() +
                    " connections tracked, " + tap.kernelDrops() + " dropped by the kernel"))
                .orElseGet(() -> Result.unhealthy("backup is not tapping"));
        }
        return node.wrapper()
            .filter(PrimaryWrapper::isRunning)
            .map(wrapper -> Result.healthy("relaying " + wrapper.serviceAddress() + " -> app port " +
                node.settings().getAppPort()))
            .orElseGet(() -> Result.unhealthy("primary is not relaying"));
    }
}
