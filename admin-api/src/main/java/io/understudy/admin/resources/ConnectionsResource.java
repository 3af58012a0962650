package io.understudy.admin.resources;

import io.understudy.admin.api.ConnectionsView;
import io.understudy.admin.auth.Revealing;
import io.understudy.admin.core.Node;
import io.understudy.backup.TapConnection;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.List;

/**
 * GET /connections: every connection this node relays (primary) or tracks (backup), with the clients' addresses and
 * stream offsets; {@link Revealing}, so it needs the api token.
 */
@Path("/connections")
@Produces(MediaType.APPLICATION_JSON)
@Revealing
public final class ConnectionsResource {
    private final Node node;

    public ConnectionsResource(final Node node) {
        this.node = node;
    }

    @GET
    public ConnectionsView connections() throws InterruptedException {
        try {
            final List<TapConnection> tapped = node.tappedConnections().orElse(null);
            final int[] counts = tapped == null ? new int[2] : TapConnection.protectionCounts(tapped);
            return new ConnectionsView(
                    node.settings().getId(),
                    node.role(),
                    node.relayedConnections().orElse(null),
                    tapped,
                    counts[0],
                    counts[1]);
        } catch (final IOException ex) {
            throw new ServiceUnavailableException(ex.getMessage());
        }
    }
}
