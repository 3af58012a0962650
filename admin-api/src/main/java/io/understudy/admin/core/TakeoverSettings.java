package io.understudy.admin.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The {@code node.takeover:} section: when the backup decides the primary is gone, and how it takes the service.
 */
public final class TakeoverSettings {
    /** How the backup keeps its replica of the app. */
    public enum Mode {
        /** ST-TCP style: a replica connection per client, fed from the tap (and the read log) as the primary runs. */
        HOT,
        /** FT-TCP style, cold standby: nothing runs for a connection until takeover; then its logged reads replay. */
        REPLAY;

        /** hot or replay, in any case; anything else is refused with the choices. */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Mode parse(final String value) {
            for (final Mode mode : values()) {
                if (mode.name().equalsIgnoreCase(value.strip())) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("'" + value + "' is not a takeover mode: expected hot or replay");
        }
    }

    @NotNull
    @JsonProperty
    private Mode mode = Mode.HOT;

    public Mode getMode() {
        return mode;
    }

    /**
     * The direct probe of the primary's service (TCP connect to VIP:port) times out after this. A live host's kernel
     * answers the SYN within a millisecond on a LAN, busy JVM or not; a crashed host never does, so this is how long
     * each failed probe takes.
     */
    @Min(5)
    @JsonProperty
    private int probeTimeoutMs = 30;

    /** The tap counts as quiet when the primary made no progress (new bytes, new acks) for this long. */
    @Min(10)
    @JsonProperty
    private long quietMs = 200;

    public long getQuietMs() {
        return quietMs;
    }

    /**
     * The tap as a detector: client bytes that waited this long with no progress at all from the primary (no new byte,
     * no new ack to any client) count as the tap's evidence that it stopped, without waiting for quietMs. A live
     * primary's kernel acks client bytes within its delayed-ACK time (about 40 ms on Linux) even while its app is
     * slow or paused, so the default sits above it. 0: off (only quietMs counts).
     */
    @Min(0)
    @JsonProperty
    private long clientsWaitingMs = 60;

    public long getClientsWaitingMs() {
        return clientsWaitingMs;
    }

    /** How long the replicas may take to produce what the primary had sent before their connections are given up. */
    @Min(10)
    @JsonProperty
    private long catchUpTimeoutMs = 3000;

    /**
     * Whether the takeover sends each restored connection's client ICMP host unreachables about its own segment
     * (RFC 6069), so that a client backing off from the dead primary retransmits at once. False for clients that set
     * IP_RECVERR on their TCP sockets: they would be told EHOSTUNREACH once.
     */
    @JsonProperty
    private boolean nudgeClients = true;

    public boolean isNudgeClients() {
        return nudgeClients;
    }

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

    /** Whether the backup fences the primary before it claims the service address after a lost heartbeat. */
    public enum Fence {
        /** Run node.takeover.fenceCommand; a failed fence means no takeover. */
        COMMAND,
        /** No fence: a backup that is merely cut off takes the address while the primary still holds it (a risk). */
        NONE;

        /** command or none, in any case; anything else is refused with the choices. */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Fence parse(final String value) {
            for (final Fence fence : values()) {
                if (fence.name().equalsIgnoreCase(value.strip())) {
                    return fence;
                }
            }
            throw new IllegalArgumentException("'" + value + "' is not a fence setting: expected command or none");
        }
    }

    /**
     * command (the default): fenceCommand must be set, and a takeover after a lost heartbeat runs it first. none:
     * explicit, and a risk (two holders of the address when the backup is cut off but the primary lives).
     */
    @NotNull
    @JsonProperty
    private Fence fence = Fence.COMMAND;

    /**
     * The STONITH hook, run before the address is claimed after a lost heartbeat: it must make sure the other node
     * no longer reaches the LAN (power it off over IPMI, switch its port off, stop its cloud instance). Exit 0 means
     * fenced. Planned handovers (drills, the app failing on the primary) do not fence: the primary gave the address up.
     */
    @NotNull
    @JsonProperty
    private List<String> fenceCommand = List.of();

    /** The fence command is killed, and counts as failed, after this long. */
    @Min(100)
    @JsonProperty
    private long fenceTimeoutMs = 10_000;

    /**
     * Before a claim, the backup probes the service address with ARP (RFC 5227) for this long; an address another
     * MAC answers for is not claimed. A live host's kernel answers ARP within a millisecond on a LAN; the wait is on
     * every takeover's path.
     */
    @Min(10)
    @JsonProperty
    private long duplicateAddressWaitMs = 50;

    public Fence getFence() {
        return fence;
    }

    public List<String> getFenceCommand() {
        return fenceCommand;
    }

    public long getFenceTimeoutMs() {
        return fenceTimeoutMs;
    }

    public long getDuplicateAddressWaitMs() {
        return duplicateAddressWaitMs;
    }

    @io.dropwizard.validation.ValidationMethod(
            message = "node.takeover.fenceCommand is not set: set it to the "
                    + "command that cuts the other node off (IPMI, a PDU, a switch port, a cloud API), or set node.takeover.fence: "
                    + "none to take over without fencing (a backup that is merely cut off then takes the address while the "
                    + "primary still holds it)")
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isFenceConfigured() {
        return fence == Fence.NONE || !fenceCommand.isEmpty();
    }

    public List<String> getReleaseCommand() {
        return releaseCommand;
    }

    public int getProbeTimeoutMs() {
        return probeTimeoutMs;
    }

    public long getCatchUpTimeoutMs() {
        return catchUpTimeoutMs;
    }

    public List<String> getClaimCommand() {
        return claimCommand;
    }
}
