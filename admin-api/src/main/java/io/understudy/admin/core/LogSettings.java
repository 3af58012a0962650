package io.understudy.admin.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.understudy.logger.LogShipper;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * The {@code node.log:} section: the primary's read log (FT-TCP's half of the design). The primary ships every read
 * it hands the app, every write the app makes and every open and close to a logger, which appends them to its
 * Chronicle event log and acks them; the backup reads that log to feed its replica the same reads, to fill what its
 * tap missed, and to replay connections at a cold takeover.
 */
public final class LogSettings {
    /** Output commit policy. */
    public enum Commit {
        /** App output goes to the client at once; the log follows (lower latency, a crash may lose logged reads). */
        ASYNC,
        /** App output waits until the logger acked every read before it (any output a client saw can be redone). */
        SYNC;

        /** async or sync, in any case; anything else is refused with the choices. */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Commit parse(final String value) {
            for (final Commit commit : values()) {
                if (commit.name().equalsIgnoreCase(value.strip())) {
                    return commit;
                }
            }
            throw new IllegalArgumentException("'" + value + "' is not a commit mode: expected async or sync");
        }
    }

    /**
     * Where the logger listens, host:port. Empty (the default): the backup runs the logger, on its LAN address and
     * {@link #listenPort}; the primary ships to the peer's LAN address. Set it to run the logger on a third host
     * ({@code ops/understudy logger}); no node then runs one itself.
     */
    @NotNull
    @Pattern(regexp = "^$|^[^:\\s]+:[0-9]{1,5}$", message = "must be empty or host:port")
    @JsonProperty
    private String logger = "";

    /** The port a backup's own logger listens on (on lanAddress). */
    @Min(1)
    @Max(65535)
    @JsonProperty
    private int listenPort = 7400;

    @NotNull
    @JsonProperty
    private Commit commit = Commit.ASYNC;

    /**
     * With sync commit: how long output may wait for the logger's ack before the primary stops waiting (the logger is
     * down or slow), releases it and reports its protection degraded.
     */
    @Min(1)
    @Max(60_000)
    @JsonProperty
    private long commitTimeoutMs = 500;

    /**
     * With async commit: how far the logger may fall behind (the age of the oldest record it has not acked) before
     * app output waits for its ack, as with sync commit, for at most commitTimeoutMs. A request the primary's kernel
     * acked is lost with the primary when the backup's tap missed it and the log does not hold it yet: this bounds
     * that window on a busy logger host. 0: no bound (output never waits).
     */
    @Min(0)
    @Max(60_000)
    @JsonProperty
    private long maxLagMs = 50;

    /**
     * With async commit: how long the primary's shipper waits after a record for more before it writes to the logger
     * (records of many relay turns then travel in one write and come back in one ACK). It adds at most this much to
     * the logger's lag, well inside maxLagMs. Sync commit never lingers (output waits for each ACK). 0: no linger.
     */
    @Min(0)
    @Max(LogShipper.MAX_LINGER_US)
    @JsonProperty
    private long lingerUs = 1_000;

    /** Records the primary keeps while the logger has not acked them; beyond this, records are dropped (a gap). */
    @Min(1024 * 1024)
    @JsonProperty
    private long bufferBytes = 64L * 1024 * 1024;

    /** How often the primary retries an unreachable logger. */
    @Min(10)
    @JsonProperty
    private long reconnectMs = 200;

    /** False: no read log at all (the backup relies on its tap alone; replay mode is then impossible). */
    @JsonProperty
    private boolean enabled = true;

    public String getLogger() {
        return logger;
    }

    public int getListenPort() {
        return listenPort;
    }

    public Commit getCommit() {
        return commit;
    }

    public long getCommitTimeoutMs() {
        return commitTimeoutMs;
    }

    public long getMaxLagMs() {
        return maxLagMs;
    }

    public long getLingerUs() {
        return lingerUs;
    }

    public long getBufferBytes() {
        return bufferBytes;
    }

    public long getReconnectMs() {
        return reconnectMs;
    }

    public boolean isEnabled() {
        return enabled;
    }
}
