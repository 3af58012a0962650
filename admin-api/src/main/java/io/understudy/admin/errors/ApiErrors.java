package io.understudy.admin.errors;

import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The admin API's answers to bad requests: always {@code {"code": ..., "message": "..."}}, with a message that says what
 * was wrong. Resources report bad input by throwing {@link IllegalArgumentException} (400) and a request that does not
 * fit the node's state by throwing {@link IllegalStateException} (409).
 */
public final class ApiErrors {
    private ApiErrors() {}

    /** Registers the exception mappers with Jersey (they take precedence over Dropwizard's defaults). */
    public static void register(final JerseyEnvironment jersey) {
        mappers().forEach(jersey::register);
    }

    /** The exception mappers, new instances. */
    public static List<Object> mappers() {
        return List.of(
                new BadRequestMapper(), new ConflictMapper(), new BadParamMapper(), new MethodNotAllowedMapper());
    }

    static Response.ResponseBuilder json(final int status, final String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorMessage(status, message));
    }
}
