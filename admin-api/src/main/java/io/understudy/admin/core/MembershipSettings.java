package io.understudy.admin.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code node.membership:} section: the JGroups heartbeat between the two nodes.
 */
public final class MembershipSettings {
    /** Both nodes' LAN address:port, comma separated (the same list on both nodes). */
    @NotBlank
    @JsonProperty
    private String peers;

    @Min(1)
    @Max(65535)
    @JsonProperty
    private int bindPort = 7800;

    @Min(100)
    @JsonProperty
    private long failureTimeoutMs = 300;

    @Min(10)
    @JsonProperty
    private long heartbeatIntervalMs = 75;

    @Min(10)
    @JsonProperty
    private long verifySuspectMs = 50;

    /**
     * The fast heartbeat beside JGroups: UDP on bindPort + 1, a beat every fastIntervalMs from a raised thread,
     * authenticated with the pair's key; the backup starts deciding once the primary has been silent fastSilentMs.
     * Off: the JGroups view alone (failureTimeoutMs plus verification) starts the decision.
     */
    @JsonProperty
    private boolean fastHeartbeat = true;

    @Min(1)
    @Max(1000)
    @JsonProperty
    private long fastIntervalMs = 20;

    @Min(2)
    @Max(10_000)
    @JsonProperty
    private long fastSilentMs = 100;

    public List<String> getPeers() {
        return Arrays.stream(peers.split(","))
                .map(String::strip)
                .filter(peer -> !peer.isEmpty())
                .toList();
    }

    public int getBindPort() {
        return bindPort;
    }

    public long getFailureTimeoutMs() {
        return failureTimeoutMs;
    }

    public long getHeartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public long getVerifySuspectMs() {
        return verifySuspectMs;
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    @io.dropwizard.validation.ValidationMethod(
            message = "node.membership.fastSilentMs must be at least two "
                    + "fastIntervalMs (a single late beat must not count as silence)")
    public boolean isFastSilenceLongerThanTwoBeats() {
        return fastSilentMs >= 2 * fastIntervalMs;
    }

    public boolean isFastHeartbeat() {
        return fastHeartbeat;
    }

    public long getFastIntervalMs() {
        return fastIntervalMs;
    }

    public long getFastSilentMs() {
        return fastSilentMs;
    }
}
