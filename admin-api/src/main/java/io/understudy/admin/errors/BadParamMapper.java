package io.understudy.admin.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.glassfish.jersey.server.ParamException;

/**
 * A query, path, header or form parameter whose value Jersey could not convert (an unknown enum name, a number that
 * is not one). Jersey answers a bad query or path parameter with a bare 404; this says 400 and names the parameter
 * and the value.
 */
@Provider
public final class BadParamMapper implements ExceptionMapper<ParamException> {
    @Override
    public Response toResponse(final ParamException exception) {
        final String kind = kindOf(exception);
        final Throwable cause = exception.getCause();
        final String why = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return ApiErrors.json(
                        Response.Status.BAD_REQUEST.getStatusCode(),
                        kind + " parameter '" + exception.getParameterName() + "' has a bad value" + why)
                .build();
    }

    private static String kindOf(final ParamException exception) {
        if (exception instanceof ParamException.QueryParamException) {
            return "query";
        }
        if (exception instanceof ParamException.PathParamException) {
            return "path";
        }
        if (exception instanceof ParamException.HeaderParamException) {
            return "header";
        }
        if (exception instanceof ParamException.FormParamException) {
            return "form";
        }
        return "request";
    }
}
