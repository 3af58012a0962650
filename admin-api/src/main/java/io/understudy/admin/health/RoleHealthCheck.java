package io.understudy.admin.health;

import com.codahale.metrics.health.HealthCheck;

import io.understudy.admin.core.Node;
import io.understudy.admin.core.Role;
import io.understudy.primary.PrimaryWrapper;

/**
 * Healthy when the node does what its role asks: a primary's relay is accepting clients; a backup is standing by.
 */
public final class RelayHealthCheck extends HealthCheck
{
    private final Node node;

    public RelayHealthCheck(final Node node)
    {
        this.node = node;
    }

    @Override
    protected Result check()
    {
        if (node.settings().getRole() == Role.BACKUP)
        {
            return Result.healthy("backup standing by");
        }
        return node.wrapper()
            .filter(PrimaryWrapper::isRunning)
            .map(wrapper -> Result.healthy("relaying " + wrapper.serviceAddress() + " -> app port " +
                node.settings().getAppPort()))
            .orElseGet(() -> Result.unhealthy("primary is not relaying"));
    }
}
