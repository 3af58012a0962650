package io.understudy.admin.security;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code node.security:} section: the pair's secret, which authenticates and encrypts every channel between the
 * two nodes. Without one a node does not start, unless the config says {@code insecure: true} (a lab without
 * strangers only: anyone on the LAN could then join the heartbeat and write or read the read log).
 */
public final class SecuritySettings {
    /** The pair's secret file ({@code ops/understudy keygen}); the same file on both nodes. */
    @NotNull
    @JsonProperty
    private String secretFile = "";

    /** Run without a secret: lab only, never the default. */
    @JsonProperty
    private boolean insecure;

    public String getSecretFile() {
        return secretFile;
    }

    public boolean isInsecure() {
        return insecure;
    }

    @JsonIgnore
    @AssertTrue(
            message = "is missing: set node.security.secretFile to the pair's secret (ops/understudy keygen "
                    + "--out FILE), or node.security.insecure: true in a lab without strangers")
    public boolean isSecretFileOrInsecure() {
        return insecure || !secretFile.isBlank();
    }

    /**
     * The pair's secret, read from its file; empty when the node runs insecure (and has no secret file).
     *
     * @throws IOException naming the file when it cannot be used.
     */
    public Optional<PairSecret> load() throws IOException {
        if (secretFile.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(PairSecret.load(Path.of(secretFile)));
    }
}
