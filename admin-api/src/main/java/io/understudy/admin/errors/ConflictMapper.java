package io.understudy.admin.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.glassfish.jersey.server.internal.LocalizationMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link IllegalStateException} from a resource: the request is well formed but the node cannot do it now (a drill
 * sent to the backup, a drill while one runs). 409 with the exception's message. Replaces Dropwizard's mapper for the
 * same type and keeps its one special case: Jersey's form parameters with the wrong Content-Type give 415.
 */
@Provider
public final class ConflictMapper implements ExceptionMapper<IllegalStateException> {
    private static final Logger LOG = LoggerFactory.getLogger(ConflictMapper.class);

    @Override
    public Response toResponse(final IllegalStateException exception) {
        final String message = exception.getMessage();
        if (LocalizationMessages.FORM_PARAM_CONTENT_TYPE_ERROR().equals(message)) {
            return ApiErrors.json(
                            Response.Status.UNSUPPORTED_MEDIA_TYPE.getStatusCode(),
                            "form parameters need Content-Type: application/x-www-form-urlencoded")
                    .build();
        }
        LOG.debug("conflict with the node's state", exception);
        return ApiErrors.json(
                        Response.Status.CONFLICT.getStatusCode(),
                        message == null || message.isBlank() ? "the node cannot do this now" : message)
                .build();
    }
}
