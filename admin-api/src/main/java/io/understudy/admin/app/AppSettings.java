package io.understudy.admin.app;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The {@code node.app:} section: which local process is the app the node relays clients to, how the node tells that
 * it died or hung, and how it is restarted after a handover. With neither pidFile nor systemdUnit set, the app is the
 * process that owns the TCP listener on the app's address and port.
 */
public final class AppSettings {
    /** A file holding the app's pid, e.g. /run/redis/redis-server.pid. Empty: not used. */
    @NotNull
    @JsonProperty
    private String pidFile = "";

    /** A systemd unit whose MainPID is the app, e.g. redis-server.service. Empty: not used. */
    @NotNull
    @JsonProperty
    private String systemdUnit = "";

    /**
     * How long the relay holds a close from the app's side while it finds out whether the app died (a dead app's
     * closes must not reach its clients: the backup takes those connections over).
     */
    @Min(0)
    @Max(1000)
    @JsonProperty
    private int closeGraceMs = 50;

    /** Run after a handover to restart the app, e.g. [systemctl, restart, redis-server]. Empty: none. */
    @NotNull
    @JsonProperty
    private List<String> restartCommand = List.of();

    /** The restart command is killed and counted as failed after this. */
    @Min(100)
    @JsonProperty
    private long restartTimeoutMs = 30_000;

    @Valid
    @NotNull
    @JsonProperty
    private AppCheckSettings check = new AppCheckSettings();

    public String getPidFile() {
        return pidFile;
    }

    public String getSystemdUnit() {
        return systemdUnit;
    }

    public int getCloseGraceMs() {
        return closeGraceMs;
    }

    public List<String> getRestartCommand() {
        return restartCommand;
    }

    public long getRestartTimeoutMs() {
        return restartTimeoutMs;
    }

    public AppCheckSettings getCheck() {
        return check;
    }

    /** Two sources for one pid could disagree; the operator names one. */
    @JsonIgnore
    @AssertTrue(message = "set pidFile or systemdUnit, not both")
    public boolean isPidFileOrSystemdUnit() {
        return pidFile == null || pidFile.isBlank() || systemdUnit == null || systemdUnit.isBlank();
    }
}
