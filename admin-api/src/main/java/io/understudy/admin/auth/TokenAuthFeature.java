package io.understudy.admin.auth;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;

/**
 * Puts a {@link TokenAuthFilter} in front of every resource method that is {@link Mutating} or {@link Revealing} (on
 * the method or its class), and nothing in front of the others. One filter a kind, so a refusal says which it was.
 */
public final class TokenAuthFeature implements DynamicFeature {
    static final String MUTATING_REASON = "this endpoint changes the node";
    static final String REVEALING_REASON = "this endpoint shows the node's clients";

    private final TokenAuthFilter mutating;
    private final TokenAuthFilter revealing;

    /**
     * @param nodeId the node's id, for the log.
     * @param token  the node's api token (api.token or the content of api.tokenFile); "" refuses every guarded request.
     */
    public TokenAuthFeature(final String nodeId, final String token) {
        this.mutating = new TokenAuthFilter(nodeId, token, MUTATING_REASON);
        this.revealing = new TokenAuthFilter(nodeId, token, REVEALING_REASON);
    }

    @Override
    public void configure(final ResourceInfo resource, final FeatureContext context) {
        if (marked(resource, Mutating.class)) {
            context.register(mutating, Priorities.AUTHENTICATION);
        } else if (marked(resource, Revealing.class)) {
            context.register(revealing, Priorities.AUTHENTICATION);
        }
    }

    private static boolean marked(final ResourceInfo resource, final Class<? extends Annotation> mark) {
        return has(resource.getResourceMethod(), mark) || has(resource.getResourceClass(), mark);
    }

    private static boolean has(final AnnotatedElement element, final Class<? extends Annotation> mark) {
        return element != null && element.isAnnotationPresent(mark);
    }
}
