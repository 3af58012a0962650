package io.understudy.admin.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a read-only resource method (or class) that shows what only operators may see, such as the clients' addresses
 * and stream offsets: like a {@link Mutating} one, a request to it needs {@code Authorization: Bearer <api.token>}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Revealing {}
