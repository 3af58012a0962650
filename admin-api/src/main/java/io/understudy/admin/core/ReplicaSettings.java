package io.understudy.admin.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.understudy.backup.replica.DivergencePolicy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * The {@code node.replica:} section: how the backup judges its replica of the app against the primary.
 */
public final class ReplicaSettings {
    /** What a difference between the replica's output and the primary's does to the connection's protection. */
    public enum Divergence {
        /** Any differing byte ends protection: the only choice safe for every app (redis, memcached, databases). */
        EXACT("exact"),
        /**
         * Differences that keep the output's length (an HTTP Date header) are tolerated and counted; the operator's
         * choice for apps whose state does not show in same-length output, as a static file server.
         */
        SAME_LENGTH("same-length");

        private final String wireName;

        Divergence(final String wireName) {
            this.wireName = wireName;
        }

        /** exact or same-length, in any case; anything else is refused with the choices. */
        @JsonCreator
        public static Divergence parse(final String value) {
            for (final Divergence divergence : values()) {
                if (divergence.wireName.equalsIgnoreCase(value.strip())) {
                    return divergence;
                }
            }
            throw new IllegalArgumentException(
                    "'" + value + "' is not a replica divergence: expected exact or " + "same-length");
        }
    }

    @NotNull
    @JsonProperty
    private Divergence divergence = Divergence.EXACT;

    /**
     * same-length only: the longest tolerated difference, from its first differing byte to its last (differing bytes
     * fewer than 8 equal ones apart belong to one difference). An HTTP Date header differs over at most 25 bytes.
     */
    @Min(1)
    @Max(4096)
    @JsonProperty
    private int maxDifferenceBytes = 32;

    /**
     * Brings this node's app in step with the primary's when this node becomes the backup with an app that has not
     * followed the primary (it starts, or returns after a crash, an app failure or a demotion): e.g. for redis,
     * replicate from the primary's and stop. Run with UNDERSTUDY_NODE_ID, UNDERSTUDY_PEER_ADDRESS,
     * UNDERSTUDY_APP_ADDRESS and UNDERSTUDY_APP_PORT in its environment; exit 0 means in step. Until then, connections
     * opened are not protected. Empty (or an empty program name, for a config that takes it from an unset
     * variable): no sync, every connection with a seen start is followed from its start.
     */
    @NotNull
    @JsonProperty
    private java.util.List<String> syncCommand = java.util.List.of();

    /** How long one run of the sync command may take before it is killed (and tried again). */
    @Min(100)
    @Max(3_600_000)
    @JsonProperty
    private long syncTimeoutMs = 120_000;

    /** How long after a failed sync the next one starts. */
    @Min(100)
    @Max(3_600_000)
    @JsonProperty
    private long syncRetryMs = 5_000;

    /**
     * The local socket on which this node hands the app's understudy-shim a seed per connection (ops/shim): the app's
     * strong random draws for a connection then agree between the primary and the replica. Empty: none.
     */
    @NotNull
    @JsonProperty
    private String seedSocket = "";

    /** The seed socket's path, or empty when there is none. */
    public java.util.Optional<java.nio.file.Path> getSeedSocket() {
        return seedSocket.isBlank()
                ? java.util.Optional.empty()
                : java.util.Optional.of(java.nio.file.Path.of(seedSocket));
    }

    /** The sync command, or an empty list when there is none. */
    public java.util.List<String> getSyncCommand() {
        return syncCommand.isEmpty() || syncCommand.get(0).isBlank() ? java.util.List.of() : syncCommand;
    }

    public long getSyncTimeoutMs() {
        return syncTimeoutMs;
    }

    public long getSyncRetryMs() {
        return syncRetryMs;
    }

    public Divergence getDivergence() {
        return divergence;
    }

    public int getMaxDifferenceBytes() {
        return maxDifferenceBytes;
    }

    /** The policy the backup's replicas are judged by. */
    public DivergencePolicy policy() {
        return divergence == Divergence.SAME_LENGTH
                ? DivergencePolicy.sameLength(maxDifferenceBytes)
                : DivergencePolicy.EXACT;
    }
}
