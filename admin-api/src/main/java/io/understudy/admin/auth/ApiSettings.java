package io.understudy.admin.auth;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@code api:} section: the token the API asks of callers of its guarded endpoints (failover drills, faults,
 * GET /connections), given as {@code token} (e.g. {@code ${UNDERSTUDY_DRILL_TOKEN}}) or read from {@code tokenFile} at
 * start. Without either, every guarded endpoint is refused on this node.
 */
public final class ApiSettings {
    /** The shortest token accepted: a guessable token would be worse than none. */
    public static final int MIN_TOKEN_LENGTH = 16;

    /** Callers of guarded endpoints send it as {@code Authorization: Bearer <token>}; "" turns them all off. */
    @NotNull
    @Pattern(
            regexp = "|\\S{" + MIN_TOKEN_LENGTH + ",}",
            message = "must be empty (mutating endpoints refused) or at least " + MIN_TOKEN_LENGTH
                    + " characters without spaces")
    @JsonProperty
    private String token = "";

    /** A file holding the token (one line, not readable by others); "" for none. */
    @NotNull
    @JsonProperty
    private String tokenFile = "";

    /**
     * With an https API: a PEM file of the certificate(s) the peer's API must present; "" for those of this node's own
     * keystore (the pair shares one). See {@link ApiTls}.
     */
    @NotNull
    @JsonProperty
    private String peerCertificateFile = "";

    public String getToken() {
        return token;
    }

    public String getTokenFile() {
        return tokenFile;
    }

    public String getPeerCertificateFile() {
        return peerCertificateFile;
    }

    @JsonIgnore
    @ValidationMethod(message = "api.token and api.tokenFile are both set: give the token one way only")
    public boolean isTokenGivenOnce() {
        return tokenFile.isEmpty() || token.isEmpty();
    }

    /**
     * The node's token: api.token, else the content of api.tokenFile, else "" (guarded endpoints refused).
     *
     * @throws IOException naming api.tokenFile when it cannot be read or holds a token that is too short.
     */
    public String loadToken() throws IOException {
        if (tokenFile.isEmpty()) {
            return token;
        }
        final String loaded;
        try {
            loaded = TokenFile.read(Path.of(tokenFile));
        } catch (final IOException ex) {
            throw new IOException("api.tokenFile: " + ex.getMessage(), ex);
        }
        if (loaded.length() < MIN_TOKEN_LENGTH) {
            throw new IOException("api.tokenFile: the token in " + tokenFile + " has " + loaded.length()
                    + " characters; at least " + MIN_TOKEN_LENGTH + " are needed");
        }
        return loaded;
    }
}
