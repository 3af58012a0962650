package io.understudy.admin.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link IllegalArgumentException} from a resource: the request's input is wrong. 400 with the exception's message.
 */
@Provider
public final class BadRequestMapper implements ExceptionMapper<IllegalArgumentException> {
    private static final Logger LOG = LoggerFactory.getLogger(BadRequestMapper.class);

    @Override
    public Response toResponse(final IllegalArgumentException exception) {
        LOG.debug("bad request", exception);
        final String message = exception.getMessage();
        return ApiErrors.json(
                        Response.Status.BAD_REQUEST.getStatusCode(),
                        message == null || message.isBlank() ? "bad request" : message)
                .build();
    }
}
