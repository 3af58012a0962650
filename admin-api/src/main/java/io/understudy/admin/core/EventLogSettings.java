package io.understudy.admin.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * The {@code node.eventLog:} section: where this node keeps its Chronicle event log and for how long.
 */
public final class EventLogSettings {
    @NotBlank
    @JsonProperty
    private String directory = "/var/lib/understudy/events";

    /** A Chronicle roll cycle name, e.g. FAST_HOURLY or FAST_DAILY: one file per cycle. */
    @NotBlank
    @JsonProperty
    private String rollCycle = "FAST_HOURLY";

    /** Cycles kept; older files are deleted. */
    @Min(1)
    @JsonProperty
    private int retainCycles = 48;

    public String getDirectory() {
        return directory;
    }

    public String getRollCycle() {
        return rollCycle;
    }

    public int getRetainCycles() {
        return retainCycles;
    }
}
