package io.understudy.admin.core;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

/**
 * The {@code node.takeover:} section: when the backup decides the primary is gone, and how it takes the service.
 */
public final class TakeoverSettings
{
    /** How the backup keeps its replica of the app. */
    public enum Mode
    {
        /** ST-TCP style: a replica connection per client, fed from the tap (and the read log) as the primary runs. */
        HOT,
        /** FT-TCP style, cold standby: nothing runs for a connection until takeover; then its logged reads replay. */
        REPLAY;

        /** hot or replay, in any case; anything else is refused with the choices. */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Mode parse(final String value)
        {
            for (final Mode mode : values())
            {
                if (mode.name().equalsIgnoreCase(value.strip()))
                {
                    return mode;
                }
            }
            throw new IllegalArgumentException("'" + value + "' is not a takeover mode: expected hot or replay");
        }
    }

    @NotNull
    @JsonProperty
    private Mode mode = Mode.HOT;

    public Mode getMode()
    {
        return mode;
    }

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

    /**
     * The command that removes the service address from this host, e.g. [ip, addr, del, 198.18.0.100/24, dev, eth0]:
     * a failover drill runs it before the backup claims the address. Empty: drills are refused.
     */
    @NotNull
    @JsonProperty
    private List<String> releaseCommand = List.of();

    public List<String> getReleaseCommand()
    {
        return releaseCommand;
    }

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
