package io.understudy.admin.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource method (or every method of a resource class) that changes the node's state: a request to it needs
 * {@code Authorization: Bearer <api.token>}, checked by the {@link TokenAuthFilter} that {@link TokenAuthFeature}
 * puts in front of it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Mutating {}
