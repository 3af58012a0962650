package io.understudy.admin.core;

/**
 * The direct probes a backup makes while the primary's heartbeat is late but not yet lost ({@link #lateAfterMs} of
 * fast silence, or half the view's failure timeout): when the loss is declared, the takeover decision starts with the
 * failures already seen, and with enough of them, fresh, probes no more after it. Only a streak of failures with none answered between, the
 * last one recent, counts; one answer, or the heartbeat heard again, clears it. Times are the caller's monotonic
 * clock; thread-safe (the probing thread records, the decision thread reads).
 */
final class EarlyProbes {
    /** Where the peer's heartbeat is, for the early probes. */
    enum Heartbeat {
        /** Heard within half its timeout: nothing to probe, and what was probed no longer counts. */
        ON_TIME,
        /** Not heard for half its timeout, not yet lost: probe. */
        LATE,
        /** Lost: the decision's own probes take over, and the streak stays for it to read. */
        LOST
    }

    /**
     * Classifies the peer's heartbeat. When the fast heartbeat has heard the peer, it alone counts: the JGroups view
     * drops a peer on a false suspicion under load and takes seconds to merge it back, and while it is out a peer
     * whose fast beats still arrive is alive, not lost (before, no early probe ran then, and a crash in those seconds
     * was decided 100-200 ms later). Without fast beats, the view and its own heartbeat's age count.
     *
     * @param fastHeardMsAgo ms since the last fast beat, or -1 when none was ever heard (or it is off).
     * @param fastLateMs     from how many ms of fast silence the beat counts as late ({@link #lateAfterMs}).
     * @param viewHeardMsAgo ms since the JGroups heartbeat last heard the peer.
     */
    static Heartbeat classify(
            final boolean inView,
            final long fastHeardMsAgo,
            final long fastSilentMs,
            final long fastLateMs,
            final long viewHeardMsAgo,
            final long failureTimeoutMs) {
        final boolean fastHeard = fastHeardMsAgo >= 0;
        if (fastHeard ? fastHeardMsAgo >= fastSilentMs : !inView) {
            return Heartbeat.LOST;
        }
        if (fastHeard) {
            return fastHeardMsAgo >= fastLateMs ? Heartbeat.LATE : Heartbeat.ON_TIME;
        }
        return viewHeardMsAgo >= failureTimeoutMs / 2 ? Heartbeat.LATE : Heartbeat.ON_TIME;
    }

    /**
     * From how many ms of fast silence the early probes run: early enough that the decision's {@code confirmations}
     * failed probes, back to back (each a connect that times out after {@code probeTimeoutMs} against a dead host, the
     * next starting within a tick), are in hand when the silence is declared, so the decision needs no probe of its
     * own after it. Never before one beat is missed, never later than half the silence (where they started before).
     * 30 ms with the defaults (beats every 20 ms, silent after 100, probes of 30 ms, two confirmations, 5 ms ticks).
     */
    static long lateAfterMs(
            final long fastIntervalMs,
            final long fastSilentMs,
            final long probeTimeoutMs,
            final int confirmations,
            final long tickMs) {
        final long backToBack = fastSilentMs - confirmations * (probeTimeoutMs + tickMs);
        return Math.min(fastSilentMs / 2, Math.max(fastIntervalMs, backToBack));
    }

    private final long spacingNs;
    private final long freshNs;
    private int streak;
    private long lastFailureNs;
    private long lastProbeNs;
    private boolean probed;

    /**
     * @param spacingMs the least time between two probes' starts (the probe's timeout: against a dead host they run
     *                  back to back, each its own connect).
     * @param freshMs   how old the last failure may be and still count when the heartbeat is declared lost.
     */
    EarlyProbes(final long spacingMs, final long freshMs) {
        if (spacingMs < 1 || freshMs < 1) {
            throw new IllegalArgumentException(
                    "spacingMs and freshMs must be positive, got " + spacingMs + ", " + freshMs);
        }
        this.spacingNs = spacingMs * 1_000_000L;
        this.freshNs = freshMs * 1_000_000L;
    }

    /** Whether a probe may start now: none before, or the last one started at least the spacing ago. */
    synchronized boolean due(final long nowNs) {
        return !probed || nowNs - lastProbeNs >= spacingNs;
    }

    /** A probe that started at {@code startedNs} ended at {@code endedNs}, answered or not. */
    synchronized void record(final boolean answered, final long startedNs, final long endedNs) {
        probed = true;
        lastProbeNs = startedNs;
        if (answered) {
            streak = 0;
        } else {
            streak++;
            lastFailureNs = endedNs;
        }
    }

    /** The heartbeat is on time again (or this node is not the backup): what was seen no longer counts. */
    synchronized void reset() {
        streak = 0;
        probed = false;
    }

    /**
     * Whether the streak confirms the loss by itself at {@code nowNs}: {@code confirmations} failures in a row, the
     * last one ended at most {@code withinNs} ago. The decision then takes them as its own first probe's.
     */
    synchronized boolean confirms(final long nowNs, final int confirmations, final long withinNs) {
        return streak >= confirmations && nowNs - lastFailureNs <= withinNs;
    }

    /** Failures in a row that count at {@code nowNs}: 0 when there are none or the last is older than fresh. */
    synchronized int streakAt(final long nowNs) {
        return streak > 0 && nowNs - lastFailureNs <= freshNs ? streak : 0;
    }
}
