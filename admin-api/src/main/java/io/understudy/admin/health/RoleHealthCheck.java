package io.understudy.admin.health;

import com.codahale.metrics.health.HealthCheck;
import io.understudy.admin.cluster.MembershipView;
import io.understudy.admin.core.Node;
import io.understudy.admin.core.NodeSettings;
import io.understudy.admin.core.Role;
import io.understudy.primary.PrimaryWrapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;

/**
 * "role": the node's role agrees with what it does and sees. Unhealthy after a failed takeover (the node is then
 * neither serving nor tapping); a node must be in its own heartbeat view; a primary must be relaying; a backup must
 * not relay nor hold the service address (checked when the address is not a loopback one, as in tests).
 */
public final class RoleHealthCheck extends HealthCheck {
    private final Node node;

    public RoleHealthCheck(final Node node) {
        this.node = node;
    }

    @Override
    protected Result check() {
        if (node.takeoverFailure().isPresent()) {
            return Result.unhealthy(
                    "takeover failed at " + node.takeoverFailure().get());
        }
        final NodeSettings settings = node.settings();
        final List<String> members = node.view().map(MembershipView::members).orElse(List.of());
        if (!members.contains(settings.getId())) {
            return Result.unhealthy(
                    node.role() + " " + settings.getId() + " is not in its own heartbeat view " + members);
        }
        return node.role() == Role.PRIMARY ? checkPrimary(settings, members) : checkBackup(settings, members);
    }

    private Result checkPrimary(final NodeSettings settings, final List<String> members) {
        return node.wrapper()
                .filter(PrimaryWrapper::isRunning)
                .map(wrapper -> Result.healthy("primary, relaying " + wrapper.serviceAddress() + " -> app port "
                        + settings.getAppPort() + "; view " + members))
                .orElseGet(() -> Result.unhealthy("primary is not relaying; view " + members));
    }

    private Result checkBackup(final NodeSettings settings, final List<String> members) {
        if (node.wrapper().isPresent()) {
            return Result.unhealthy("backup has a relay running: only the primary relays");
        }
        if (holdsAddress(settings.getServiceAddress())) {
            return Result.unhealthy("backup holds the service address " + settings.getServiceAddress()
                    + ": only the primary may (two holders break clients)");
        }
        return Result.healthy(
                "backup, not relaying, not holding " + settings.getServiceAddress() + "; view " + members);
    }

    /** Whether an interface of this host has the address; a loopback address is always local, so never "held". */
    private static boolean holdsAddress(final String address) {
        try {
            final InetAddress inet = InetAddress.getByName(address);
            return !inet.isLoopbackAddress() && NetworkInterface.getByInetAddress(inet) != null;
        } catch (final IOException ex) {
            return false;
        }
    }
}
