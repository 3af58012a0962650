package io.understudy.admin.auth;

import com.fasterxml.jackson.annotation.JsonProperty;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * The {@code api:} section: what the admin API asks of callers. Without a token, every mutating endpoint (failover
 * drills) is refused on this node.
 */
public final class ApiSettings
{
    /** The shortest token accepted: a guessable token would be worse than none. */
    public static final int MIN_TOKEN_LENGTH = 16;

    /** Callers of mutating endpoints send it as {@code Authorization: Bearer <token>}; "" turns them all off. */
    @NotNull
    @Pattern(regexp = "|\\S{" + MIN_TOKEN_LENGTH + ",}",
        message = "must be empty (mutating endpoints refused) or at least " + MIN_TOKEN_LENGTH +
            " characters without spaces")
    @JsonProperty
    private String token = "";

    public String getToken()
    {
        return token;
    }

    /** Whether mutating endpoints are on: a token is configured. */
    public boolean hasToken()
    {
        return token != null && !token.isEmpty();
    }
}
