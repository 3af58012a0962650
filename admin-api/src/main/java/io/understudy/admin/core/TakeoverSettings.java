package io.understudy.admin.core;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;

/**
 * The {@code node.takeover:} section: when the backup decides the primary is gone, and how it takes the service.
 */
public final class TakeoverSettings
{
    /** The direct probe of the primary's service (TCP connect to VIP:port) times out after this. */
    @Min(10)
    @JsonProperty
    private int probeTimeoutMs = 100;

    /** The tap counts as quiet when the primary made no progress (new bytes, new acks) for this long. */
    @Min(10)
    @JsonProperty
    private long quietMs = 200;

    public long getQuietMs()
    {
        return quietMs;
    }

    /** How long the replicas may take to produce what the primary had sent before their connections are given up. */
    @Min(10)
    @JsonProperty
    private long catchUpTimeoutMs = 3000;

    /** The command that adds the service address to this host, e.g. [ip, addr, add, 198.18.0.100/24, dev, eth0]. */
    @NotEmpty
    @JsonProperty
    private List<String> claimCommand;

    public int getProbeTimeoutMs()
    {
        return probeTimeoutMs;
    }

    public long getCatchUpTimeoutMs()
    {
        return catchUpTimeoutMs;
    }

    public List<String> getClaimCommand()
    {
        return claimCommand;
    }
}
