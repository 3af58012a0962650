package io.understudy.admin.app;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The {@code node.app.check:} section: how the node probes its app to find it hung while its process still runs.
 * The defaults detect a stopped app within failures x (timeoutMs + intervalMs) = 3 x (400 + 200) = 1.8 s, under the
 * 2 s target; a healthy redis answers PING in well under 1 ms, so three 400 ms timeouts in a row do not happen to a
 * busy but healthy app.
 */
public final class AppCheckSettings {
    /** How the app is probed. */
    public enum Type {
        /** Connect to the app's address, send {@code send}, expect a reply starting with {@code expect}. */
        TCP,
        /** Run {@code command}; exit status 0 means healthy. */
        COMMAND,
        /** No probe: only the app process's death is seen. */
        NONE;

        /** tcp, command or none, in any case; anything else is refused with the choices. */
        @JsonCreator
        public static Type parse(final String value) {
            for (final Type type : values()) {
                if (type.name().equalsIgnoreCase(value.strip())) {
                    return type;
                }
            }
            throw new IllegalArgumentException(
                    "'" + value + "' is not an app check type: expected tcp, command or none");
        }
    }

    @NotNull
    @JsonProperty
    private Type type = Type.TCP;

    /** Sent after connecting, as UTF-8 (YAML's "PING\r\n" arrives decoded). Empty: nothing is sent. */
    @NotNull
    @JsonProperty
    private String send = "";

    /**
     * The reply must start with these bytes. Empty with a non-empty send: any reply of at least one byte; empty send
     * and expect: a TCP connect is the whole check.
     */
    @NotNull
    @JsonProperty
    private String expect = "";

    /** With type command: the command to run, e.g. [redis-cli, -p, 6390, ping]; exit status 0 means healthy. */
    @NotNull
    @JsonProperty
    private List<String> command = List.of();

    /** The pause between the end of one check and the start of the next (checks never overlap). */
    @Min(10)
    @JsonProperty
    private int intervalMs = 200;

    /** One check (connect, send and reply, or the command) must be done within this. */
    @Min(10)
    @JsonProperty
    private int timeoutMs = 400;

    /** Failed checks in a row before the app counts as hung. */
    @Min(1)
    @Max(100)
    @JsonProperty
    private int failures = 3;

    /**
     * The relay's own sign of a hang, apart from the check: client bytes that wait this long for an app that takes
     * none of them (its socket buffer full). Long, because a busy app may read a large upload slowly.
     */
    @Min(100)
    @JsonProperty
    private long relayStallMs = 3000;

    public long getRelayStallMs() {
        return relayStallMs;
    }

    /** The same check with another timeout (the backup's probe of the service uses its own). */
    public AppCheckSettings withTimeoutMs(final int otherTimeoutMs) {
        final AppCheckSettings copy = new AppCheckSettings();
        copy.type = type;
        copy.send = send;
        copy.expect = expect;
        copy.command = command;
        copy.intervalMs = intervalMs;
        copy.timeoutMs = otherTimeoutMs;
        copy.failures = failures;
        copy.relayStallMs = relayStallMs;
        return copy;
    }

    public Type getType() {
        return type;
    }

    public String getSend() {
        return send;
    }

    public String getExpect() {
        return expect;
    }

    public List<String> getCommand() {
        return command;
    }

    public int getIntervalMs() {
        return intervalMs;
    }

    public int getTimeoutMs() {
        return timeoutMs;
    }

    public int getFailures() {
        return failures;
    }

    /** Type command without a command would count every check as failed. */
    @JsonIgnore
    @AssertTrue(message = "must be set when type is command: the command whose exit status 0 means healthy")
    public boolean isCommandSetForTypeCommand() {
        return type != Type.COMMAND || command != null && !command.isEmpty();
    }
}
