package io.understudy.admin.health;

import com.codahale.metrics.health.HealthCheck;
import io.understudy.admin.api.AppStatus;
import io.understudy.admin.core.Node;

/**
 * "app": this node's app runs and answers its check. On a primary an unhealthy app is being handed over; on a backup
 * it means the replica cannot serve, and the backup will not take over.
 */
public final class AppHealthCheck extends HealthCheck {
    private final Node node;

    public AppHealthCheck(final Node node) {
        this.node = node;
    }

    @Override
    protected Result check() {
        final AppStatus app = node.appStatus().orElse(null);
        if (app == null) {
            return Result.unhealthy("the node has not started");
        }
        if (app.failed() != null) {
            return Result.unhealthy("the app " + app.failed() + ": " + app.failure());
        }
        if (app.pid() < 0) {
            return Result.unhealthy("the app's process is not found: " + app.notFound());
        }
        if (!app.alive()) {
            return Result.unhealthy("the app (pid " + app.pid() + ") is dead");
        }
        if (app.hung()) {
            return Result.unhealthy("the app check fails: " + app.lastCheck());
        }
        return Result.healthy("pid " + app.pid() + " at " + app.address() + ", check " + app.check()
                + (app.lastCheck() == null ? "" : ": " + app.lastCheck()));
    }
}
