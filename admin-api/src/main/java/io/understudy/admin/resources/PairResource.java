package io.understudy.admin.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.understudy.admin.api.PairCheck;
import io.understudy.admin.core.Node;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.List;

/**
 * GET /pair: this node's status and its peer's (read from the peer's API), judged as {@code understudy status}
 * judges them: {"healthy", "nodes": [{url, status, error}], "alarms"}. Read only and open, like /status; the page at
 * / draws it.
 */
@Path("/pair")
@Produces(MediaType.APPLICATION_JSON)
public final class PairResource {
    private final Node node;
    private final StatusResource own;
    private final ObjectMapper json;

    public PairResource(final Node node, final StatusResource own, final ObjectMapper json) {
        this.node = node;
        this.own = own;
        this.json = json;
    }

    @GET
    public ObjectNode pair() throws InterruptedException {
        final PairCheck.NodeRead self = new PairCheck.NodeRead("this node", json.valueToTree(own.status()), null);
        final String peerUrl = node.peerApiUrl();
        PairCheck.NodeRead peer;
        try {
            peer = new PairCheck.NodeRead(peerUrl, node.peerStatus(), null);
        } catch (final IOException ex) {
            peer = new PairCheck.NodeRead(peerUrl, null, ex.getMessage());
        }
        return new PairCheck(List.of(self, peer)).toJson(json);
    }
}
