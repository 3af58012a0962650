package io.understudy.logger;

import java.nio.file.Path;
import java.time.InstantSource;

/**
 * Where and how an {@link EventLog} keeps its files. Checked when built, so a bad value fails at startup with
 * the value and what was expected.
 *
 * @param directory        the log's own directory; created if missing; must be empty or hold an event log.
 * @param rollCycle        a Chronicle Queue roll cycle name: one file per cycle ("FAST_HOURLY", "FAST_DAILY",
 *                         "HOURLY", "DAILY", ...; the error for an unknown name lists them all). An existing log
 *                         keeps the roll cycle it was created with: a different one here is refused.
 * @param retainCycles     how many cycles of files to keep, the current one included, 1 or more: older files are
 *                         deleted when the log rolls and by {@link EventLog#deleteExpiredCycles()}.
 * @param minFreeDiskBytes appends are refused while the disk has less than this free, 0 or more: Chronicle writes
 *                         through memory-mapped files, and a write the disk cannot hold would fault.
 * @param clock            the time that decides the current cycle (tests move it by hand).
 */
public record EventLogConfig(
        Path directory, String rollCycle, int retainCycles, long minFreeDiskBytes, InstantSource clock) {

    /** Default roll cycle: one file an hour. */
    public static final String DEFAULT_ROLL_CYCLE = "FAST_HOURLY";
    /** Default retention: two days of hourly files. */
    public static final int DEFAULT_RETAIN_CYCLES = 48;
    /** Default free-space floor: 256 MiB, a few of Chronicle's 64 MiB blocks. */
    public static final long DEFAULT_MIN_FREE_DISK_BYTES = 256L << 20;

    /** Checks every field. */
    public EventLogConfig {
        Checks.notNull("directory", directory);
        Checks.notNull("rollCycle", rollCycle);
        RollCycleNames.resolve(rollCycle);
        Checks.inRange("retainCycles", retainCycles, 1, Integer.MAX_VALUE);
        Checks.inRange("minFreeDiskBytes", minFreeDiskBytes, 0, Long.MAX_VALUE);
        Checks.notNull("clock", clock);
    }

    /** The defaults for a directory: hourly files kept for two days, 256 MiB floor, the system clock. */
    public static EventLogConfig of(final Path directory) {
        return new EventLogConfig(
                directory,
                DEFAULT_ROLL_CYCLE,
                DEFAULT_RETAIN_CYCLES,
                DEFAULT_MIN_FREE_DISK_BYTES,
                InstantSource.system());
    }

    public EventLogConfig withRollCycle(final String name) {
        return new EventLogConfig(directory, name, retainCycles, minFreeDiskBytes, clock);
    }

    public EventLogConfig withRetainCycles(final int cycles) {
        return new EventLogConfig(directory, rollCycle, cycles, minFreeDiskBytes, clock);
    }

    public EventLogConfig withMinFreeDiskBytes(final long bytes) {
        return new EventLogConfig(directory, rollCycle, retainCycles, bytes, clock);
    }

    public EventLogConfig withClock(final InstantSource source) {
        return new EventLogConfig(directory, rollCycle, retainCycles, minFreeDiskBytes, source);
    }
}
