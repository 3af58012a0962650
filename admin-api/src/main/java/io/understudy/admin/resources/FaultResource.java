package io.understudy.admin.resources;

import io.understudy.admin.auth.Mutating;
import io.understudy.admin.core.Node;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * Fault injection for the lab (node.faultInjection: true, and the token): POST /faults/relay-error kills the relay
 * thread as an OutOfMemoryError would, so a test can check that the node exits and the backup takes over. Answers
 * 409 when fault injection is off or this node relays nothing.
 */
@Path("/faults")
@Produces(MediaType.APPLICATION_JSON)
public final class FaultResource {
    private final Node node;

    public FaultResource(final Node node) {
        this.node = node;
    }

    @POST
    @Path("/relay-error")
    @Mutating
    public Response relayError() {
        try {
            node.injectRelayFailure();
        } catch (final IllegalStateException ex) {
            throw new ClientErrorException(ex.getMessage(), Response.Status.CONFLICT);
        }
        return Response.accepted(Map.of(
                        "injected", "relay-error", "node", node.settings().getId()))
                .build();
    }
}
