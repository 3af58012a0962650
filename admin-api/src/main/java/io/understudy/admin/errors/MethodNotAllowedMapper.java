package io.understudy.admin.errors;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;
import java.util.TreeSet;

/**
 * A method the path does not take (POST /status): 405 naming the methods it does take, with the Allow header.
 */
@Provider
public final class MethodNotAllowedMapper implements ExceptionMapper<NotAllowedException> {
    @Context
    private UriInfo uriInfo;

    @Context
    private Request request;

    @Override
    public Response toResponse(final NotAllowedException exception) {
        final Set<String> allowed = new TreeSet<>(exception.getResponse().getAllowedMethods());
        return ApiErrors.json(
                        Response.Status.METHOD_NOT_ALLOWED.getStatusCode(),
                        request.getMethod() + " is not allowed on /" + uriInfo.getPath() + "; allowed: "
                                + String.join(", ", allowed))
                .header(HttpHeaders.ALLOW, String.join(", ", allowed))
                .build();
    }
}
