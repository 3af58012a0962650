package io.understudy.admin.resources;

import io.understudy.admin.api.DrillReport;
import io.understudy.admin.api.FailoverReport;
import io.understudy.admin.auth.Mutating;
import io.understudy.admin.core.Node;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ServerErrorException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;

/**
 * Failover drills. POST /drills/failover on the primary hands the service to the backup (mode=planned, the default)
 * or plays a crash (mode=crash) and answers with the report once done; GET /drills/last shows it again.
 * POST /drills/takeover is the backup's half of a planned handover, called by the primary (after a drill, or when its
 * app crashed or hung: {@code why} says so, and becomes the failover report's trigger).
 */
@Path("/drills")
@Produces(MediaType.APPLICATION_JSON)
public final class DrillResource {
    private final Node node;

    public DrillResource(final Node node) {
        this.node = node;
    }

    @POST
    @Path("/failover")
    @Mutating
    public DrillReport failover(@QueryParam("mode") @DefaultValue("planned") final String mode)
            throws InterruptedException {
        final boolean planned = switch (mode) {
            case "planned" -> true;
            case "crash" -> false;
            default -> throw new BadRequestException("mode must be planned or crash, got '" + mode + "'");
        };
        try {
            return node.drill(planned);
        } catch (final IllegalStateException ex) {
            throw new ClientErrorException(ex.getMessage(), Response.Status.CONFLICT);
        }
    }

    @GET
    @Path("/last")
    public DrillReport last() {
        return node.lastDrill().orElseThrow(() -> new NotFoundException("no drill has run on this node"));
    }

    @POST
    @Path("/takeover")
    @Mutating
    public FailoverReport takeover(
            @QueryParam("from") @DefaultValue("the primary") final String from,
            @QueryParam("why") @DefaultValue("") final String why,
            @QueryParam("budgetMs") @DefaultValue("13000") final long budgetMs)
            throws InterruptedException {
        if (budgetMs < 100 || budgetMs > 600_000) {
            throw new BadRequestException("budgetMs must be 100 to 600000, got " + budgetMs);
        }
        try {
            return node.takeOverNow(from, why, budgetMs);
        } catch (final IllegalStateException ex) {
            throw new ClientErrorException(ex.getMessage(), Response.Status.CONFLICT);
        } catch (final IOException ex) {
            throw new ServerErrorException(ex.getMessage(), Response.Status.INTERNAL_SERVER_ERROR);
        }
    }

    /**
     * POST /drills/expect-crash: the primary announces a crash drill; this backup's takeover within windowMs does not
     * fence it (it released the address itself).
     */
    @POST
    @Path("/expect-crash")
    @Mutating
    public Response expectCrash(
            @QueryParam("from") @DefaultValue("the primary") final String from,
            @QueryParam("windowMs") @DefaultValue("13000") final long windowMs) {
        if (windowMs < 100 || windowMs > 600_000) {
            throw new BadRequestException("windowMs must be 100 to 600000, got " + windowMs);
        }
        try {
            node.expectCrashDrill(from, windowMs);
            return Response.noContent().build();
        } catch (final IllegalStateException ex) {
            throw new ClientErrorException(ex.getMessage(), Response.Status.CONFLICT);
        }
    }
}
