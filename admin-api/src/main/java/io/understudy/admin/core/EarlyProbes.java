package io.understudy.admin.core;

/**
 * The direct probes a backup makes while the primary's heartbeat is late but not yet lost (half the failure timeout
 * without a word from it): when the loss is declared, the takeover decision starts with the failures already seen,
 * instead of probing twice more (about 300 ms) after it. Only a streak of failures with none answered between, the
 * last one recent, counts; one answer, or the heartbeat heard again, clears it. Times are the caller's monotonic
 * clock; thread-safe (the probing thread records, the decision thread reads).
 */
final class EarlyProbes
{
    private final long spacingNs;
    private final long freshNs;
    private int streak;
    private long lastFailureNs;
    private long lastProbeNs;
    private boolean probed;

    /**
     * @param spacingMs the least time between two probes' starts (the decider's recheck interval: two failures in a
     *                  row are as far apart as the decider's own).
     * @param freshMs   how old the last failure may be and still count when the heartbeat is declared lost.
     */
    EarlyProbes(final long spacingMs, final long freshMs)
    {
        if (spacingMs < 1 || freshMs < 1)
        {
            throw new IllegalArgumentException("spacingMs and freshMs must be positive, got " + spacingMs + ", " +
                freshMs);
        }
        this.spacingNs = spacingMs * 1_000_000L;
        this.freshNs = freshMs * 1_000_000L;
    }

    /** Whether a probe may start now: none before, or the last one started at least the spacing ago. */
    synchronized boolean due(final long nowNs)
    {
        return !probed || nowNs - lastProbeNs >= spacingNs;
    }

    /** A probe that started at {@code startedNs} ended at {@code endedNs}, answered or not. */
    synchronized void record(final boolean answered, final long startedNs, final long endedNs)
    {
        probed = true;
        lastProbeNs = startedNs;
        if (answered)
        {
            streak = 0;
        }
        else
        {
            streak++;
            lastFailureNs = endedNs;
        }
    }

    /** The heartbeat is on time again (or this node is not the backup): what was seen no longer counts. */
    synchronized void reset()
    {
        streak = 0;
        probed = false;
    }

    /** Failures in a row that count at {@code nowNs}: 0 when there are none or the last is older than fresh. */
    synchronized int streakAt(final long nowNs)
    {
        return streak > 0 && nowNs - lastFailureNs <= freshNs ? streak : 0;
    }
}
