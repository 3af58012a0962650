package io.understudy.admin.resources;

import io.understudy.admin.api.NodeStatus;
import io.understudy.admin.core.Node;
import io.understudy.admin.core.NodeSettings;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * GET /status: the node's identity, role and counters.
 */
@Path("/status")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {
    private final Node node;

    public StatusResource(final Node node) {
        this.node = node;
    }

    @GET
    public NodeStatus status() throws InterruptedException {
        final NodeSettings settings = node.settings();
        int protectedCount = -1;
        int unprotectedCount = -1;
        try {
            final java.util.Optional<java.util.List<io.understudy.backup.TapConnection>> tapped =
                    node.tappedConnections();
            if (tapped.isPresent()) {
                final int[] counts = io.understudy.backup.TapConnection.protectionCounts(tapped.get());
                protectedCount = counts[0];
                unprotectedCount = counts[1];
            }
        } catch (final java.io.IOException ex) {
            // the capture thread is busy (a takeover): the counts are unknown for now
        }
        return new NodeStatus(
                settings.getId(),
                node.role(),
                node.view().map(view -> view.members()).orElse(java.util.List.of()),
                node.heartbeatAgeMs(),
                settings.getServiceAddress() + ":" + settings.getServicePort(),
                settings.getAppAddress() + ":" + settings.getAppPort(),
                node.relayStats().orElse(null),
                node.tapStats().orElse(null),
                node.lastFailover().orElse(null),
                node.readLogStats().orElse(null),
                node.loggerStats().orElse(null),
                node.holdsServiceAddress(),
                protectedCount,
                unprotectedCount,
                node.appStatus().orElse(null),
                node.lastAppFailure().orElse(null),
                node.view().map(view -> view.strangers()).orElse(java.util.List.of()),
                node.state().name(),
                node.epoch(),
                node.peerEpoch(),
                node.transitions(),
                node.alarms(),
                node.lastDemotion().orElse(null),
                node.fastHeartbeatStatus(),
                node.peerApiUrl(),
                node.handoverUnderWay().orElse(null),
                node.replicaSync().orElse(null));
    }
}
