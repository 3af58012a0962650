package io.understudy.admin.auth;

import io.dropwizard.jersey.errors.ErrorMessage;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a request through to a {@link Mutating} or {@link Revealing} endpoint only with
 * {@code Authorization: Bearer <api.token>}: 401 with {@code WWW-Authenticate: Bearer} when the header is missing or
 * wrong, 403 when this node has no token configured. The token is compared in constant time (digests of both sides).
 */
public final class TokenAuthFilter implements ContainerRequestFilter {
    static final String NO_TOKEN_MESSAGE = "no api.token configured on this node";

    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthFilter.class);
    private static final String BEARER = "Bearer ";
    private static final String REALM = "Bearer realm=\"understudy\"";

    private final String nodeId;
    private final byte[] tokenDigest;
    private final String reason;

    /**
     * @param nodeId the node's id, for the log.
     * @param token  the node's api token; "" refuses every request this filter guards.
     * @param reason why the endpoint needs the token, the start of the 401's message: "this endpoint changes the node".
     */
    TokenAuthFilter(final String nodeId, final String token, final String reason) {
        this.nodeId = nodeId;
        this.tokenDigest = token == null || token.isEmpty() ? null : sha256(token);
        this.reason = reason;
    }

    @Override
    public void filter(final ContainerRequestContext request) {
        final String what = request.getMethod() + " /" + request.getUriInfo().getPath();
        if (tokenDigest == null) {
            LOG.warn("[{}] refused {}: {}", nodeId, what, NO_TOKEN_MESSAGE);
            request.abortWith(error(Response.Status.FORBIDDEN, NO_TOKEN_MESSAGE).build());
            return;
        }
        final String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            refuse(request, what, REALM, reason + ": send the header 'Authorization: Bearer <api.token>'");
        } else if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            refuse(
                    request,
                    what,
                    REALM + ", error=\"invalid_request\"",
                    "the Authorization header must be 'Bearer <api.token>'");
        } else if (!MessageDigest.isEqual(
                tokenDigest, sha256(header.substring(BEARER.length()).strip()))) {
            refuse(request, what, REALM + ", error=\"invalid_token\"", "wrong api token");
        }
    }

    private void refuse(
            final ContainerRequestContext request, final String what, final String challenge, final String message) {
        LOG.warn("[{}] refused {}: {}", nodeId, what, message);
        request.abortWith(error(Response.Status.UNAUTHORIZED, message)
                .header(HttpHeaders.WWW_AUTHENTICATE, challenge)
                .build());
    }

    private static Response.ResponseBuilder error(final Response.Status status, final String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(status.getStatusCode(), message));
    }

    private static byte[] sha256(final String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (final NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}
