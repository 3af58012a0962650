package io.understudy.admin.core;

import java.util.Objects;
import java.util.Optional;

/**
 * The backup's decision whether the primary is gone, made once a step from what the caller observed, with time as an
 * argument: no threads, no I/O, no sleeping, so every rule is tested with a hand-moved clock. One decider lives for
 * one loss of the heartbeat; the caller probes, reads the tap and membership, calls {@link #next} and acts on (and
 * logs) the {@link Decision}, then calls again after {@link Decision.Wait#nextCheckInNs}.
 * <p>
 * The rules of a step, first match wins:
 * <pre>
 *   +---+--------------------------------------------+------------------------------------------------+
 *   | # | observed                                   | decision                                       |
 *   +---+--------------------------------------------+------------------------------------------------+
 *   | 1 | the heartbeat view holds the peer again    | StandDown (final)                              |
 *   | 2 | this node's replica cannot serve           | Refuse (final): clients see what they would    |
 *   |   |                                            | without Understudy, never a dead replica       |
 *   | 3 | the peer is primary at an epoch above ours | Wait: it serves a newer term, never take over  |
 *   | 4 | the primary asked for a handover           | TakeOver with its trigger (final)              |
 *   | 5 | probe failed N steps in a row, and the tap | TakeOver (final)                               |
 *   |   | quiet, or clients waiting on no progress   |                                                |
 *   | 6 | otherwise                                  | Wait, or StillServing once after maxEvaluation |
 *   +---+--------------------------------------------+------------------------------------------------+
 * </pre>
 */
final class TakeoverDecider {
    static final String ANSWERS_PROBE = "it answers a direct probe";
    static final String TAP_HEARS = "the tap still hears it";
    static final String TAP_CLIENTS_WAIT = "clients wait on it, with no progress from it heard";
    static final String HIGHER_EPOCH = "the peer announces it is primary at an epoch above ours";

    private static final long NS_PER_MS = 1_000_000L;

    /** Where the decider is: evaluating until the first final decision, then done for good. */
    enum State {
        /** The heartbeat is gone and the primary may still serve: each step observes again. */
        EVALUATING,
        /** The primary is gone (or asked for a handover): the caller takes the service over. */
        TOOK_OVER,
        /** This node's replica cannot serve: it does not take over, whatever happens to the primary. */
        REFUSED,
        /** The heartbeat came back: the primary lives and nothing is to be decided. */
        STOOD_DOWN
    }

    private final Settings settings;
    private final int attempt;
    private final String heartbeatLoss;
    private final long startNs;
    private State state = State.EVALUATING;
    private long lastNowNs;
    private final int failedBefore;
    private int failedProbesInARow;
    /** How many of {@link #failedProbesInARow} are the early probes' (an answer since ends their streak). */
    private int earlyInStreak;

    private boolean stillServingReported;
    private String lastWaitReason = "";
    private boolean waitReasonChanged;

    /**
     * Starts an evaluation at the moment the heartbeat was lost.
     *
     * @param heartbeatLoss what membership said, e.g. "node-a suspected", quoted in the takeover trigger.
     */
    TakeoverDecider(final Settings settings, final String heartbeatLoss, final long nowNs) {
        this(settings, heartbeatLoss, nowNs, 0);
    }

    /** A decider for another attempt after a takeover failed ({@code attempt} counts from 0). */
    TakeoverDecider(final Settings settings, final String heartbeatLoss, final long nowNs, final int attempt) {
        this(settings, heartbeatLoss, nowNs, attempt, 0);
    }

    /**
     * A decider that starts with {@code failedBefore} direct probes already failed in a row, while the heartbeat was
     * late ({@link EarlyProbes}): they count toward the confirmations like the decider's own.
     */
    TakeoverDecider(
            final Settings settings,
            final String heartbeatLoss,
            final long nowNs,
            final int attempt,
            final int failedBefore) {
        if (failedBefore < 0) {
            throw new IllegalArgumentException("failedBefore must be 0 or more, got " + failedBefore);
        }
        this.settings = Objects.requireNonNull(settings, "settings");
        this.heartbeatLoss = Objects.requireNonNull(heartbeatLoss, "heartbeatLoss");
        this.startNs = nowNs;
        this.lastNowNs = nowNs;
        this.attempt = attempt;
        this.failedBefore = failedBefore;
        this.failedProbesInARow = failedBefore;
        this.earlyInStreak = failedBefore;
    }

    /** Which attempt this decider makes, from 0. */
    int attempt() {
        return attempt;
    }

    /** When this evaluation started (the caller's clock). */
    long startNs() {
        return startNs;
    }

    /** What the heartbeat's loss was, as given. */
    String heartbeatLoss() {
        return heartbeatLoss;
    }

    /**
     * One step: what to do given this observation. After a final decision (TakeOver, Refuse, StandDown) the
     * evaluation is over: a takeover is acted on once, so a further step is refused rather than answered again.
     *
     * @throws IllegalStateException    when a final decision was made already (nothing changes).
     * @throws IllegalArgumentException when the observation's clock runs backwards (nothing changes).
     */
    Decision next(final Observation observation) {
        if (state != State.EVALUATING) {
            throw new IllegalStateException(
                    "the takeover decision is made already: state=" + state + ", heartbeatLoss=" + heartbeatLoss);
        }
        if (observation.nowNs() < lastNowNs) {
            throw new IllegalArgumentException(
                    "the clock ran backwards: nowNs=" + observation.nowNs() + ", previous=" + lastNowNs);
        }
        lastNowNs = observation.nowNs();
        if (observation.peerPresent()) {
            return finish(State.STOOD_DOWN, new Decision.StandDown());
        }
        if (observation.replicaUnfitReason().isPresent()) {
            return finish(
                    State.REFUSED,
                    new Decision.Refuse("the primary looks gone, but this node does not take " + "over: "
                            + observation.replicaUnfitReason().get()
                            + "; clients see what they would without Understudy"));
        }
        // A probe result is a fact about the service whatever else holds, so it counts toward the streak even while
        // a higher-epoch primary keeps this node waiting.
        if (observation.probed()) {
            failedProbesInARow = observation.probeAnswers() ? 0 : failedProbesInARow + 1;
            earlyInStreak = observation.probeAnswers() ? 0 : earlyInStreak;
        }
        if (observation.peerHigherEpochPrimary()) {
            return await(observation, HIGHER_EPOCH, settings.recheckIntervalNs());
        }
        if (observation.handoverTrigger().isPresent()) {
            return finish(
                    State.TOOK_OVER,
                    new Decision.TakeOver(observation.handoverTrigger().get()));
        }
        return evaluate(observation);
    }

    /**
     * Rules 5 and 6: the primary is gone only when the probe failed often enough and the tap says it stopped: it heard
     * nothing from the primary for quietMs, or clients have waited clientsWaitingMs on a primary that made no progress
     * at all (no new byte, no new ack: a live primary's kernel acks within its delayed-ACK time even when its app is
     * slow), the tap-as-detector evidence that needs no long quiet while clients are active.
     */
    private Decision evaluate(final Observation observation) {
        final long quietForNs = observation.nowNs() - observation.lastServerProgressNs();
        // read after nowNs, "none waiting" may be a little later than it
        final long waitingForNs = Math.max(0, observation.nowNs() - observation.clientsWaitingSinceNs());
        final boolean quietLongEnough = quietForNs > settings.quietNs();
        final boolean clientsWaitLongEnough =
                settings.clientsWaitingMs() > 0 && waitingForNs > settings.clientsWaitingNs();
        final boolean tapQuiet = quietLongEnough || clientsWaitLongEnough;
        final boolean probeConfirmed = failedProbesInARow >= settings.confirmations();
        if (probeConfirmed && tapQuiet) {
            return finish(
                    State.TOOK_OVER,
                    new Decision.TakeOver("heartbeat lost (" + heartbeatLoss + "), " + probeFailure()
                            + ", "
                            + (quietLongEnough
                                    ? "tap quiet"
                                    : "clients waited " + waitingForNs / NS_PER_MS + " ms with no progress from it")));
        }
        if (observation.probed() && observation.probeAnswers()) {
            return await(observation, ANSWERS_PROBE, settings.recheckIntervalNs());
        }
        if (!tapQuiet) {
            // The first moment the tap counts as quiet, so a confirmed failure is acted on then, not a recheck later.
            final boolean clientsWait = settings.clientsWaitingMs() > 0 && waitingForNs > 0;
            final long untilQuietNs = clientsWait
                    ? Math.min(settings.quietNs() - quietForNs, settings.clientsWaitingNs() - waitingForNs) + 1
                    : settings.quietNs() - quietForNs + 1;
            return await(
                    observation,
                    clientsWait ? TAP_CLIENTS_WAIT : TAP_HEARS,
                    probeConfirmed
                            ? Math.min(settings.recheckIntervalNs(), untilQuietNs)
                            : settings.recheckIntervalNs());
        }
        return await(
                observation,
                "the direct probe failed " + failedProbesInARow + " of " + settings.confirmations() + " times in a row",
                settings.recheckIntervalNs());
    }

    /** Today's trigger text when one failure is enough; the streak's length when more were asked for. */
    private String probeFailure() {
        final String early = earlyInStreak > 0 ? " (" + earlyInStreak + " while the heartbeat was late)" : "";
        return settings.confirmations() == 1 && failedBefore == 0
                ? "service probe failed"
                : "service probe failed " + failedProbesInARow + " times in a row" + early;
    }

    private Decision await(final Observation observation, final String reason, final long nextCheckInNs) {
        waitReasonChanged = !reason.equals(lastWaitReason);
        lastWaitReason = reason;
        final long evaluatingNs = observation.nowNs() - startNs;
        if (!stillServingReported && observation.probeAnswers() && evaluatingNs >= settings.maxEvaluationNs()) {
            stillServingReported = true;
            return new Decision.StillServing(
                    "still serving: partition? the heartbeat from " + heartbeatLoss + " has been lost for "
                            + evaluatingNs / NS_PER_MS + " ms, but the service answers a direct probe; "
                            + "not taking over",
                    reason,
                    nextCheckInNs);
        }
        return new Decision.Wait(reason, nextCheckInNs);
    }

    private Decision finish(final State next, final Decision decision) {
        state = next;
        waitReasonChanged = false;
        return decision;
    }

    /** Why the last waiting step waited, for the log: e.g. {@value #ANSWERS_PROBE}; empty before any wait. */
    String lastWaitReason() {
        return lastWaitReason;
    }

    /**
     * Whether the last step waited for another reason than the wait before it (the first wait counts as a change),
     * so the caller logs once per change rather than every recheck. False after a final decision.
     */
    boolean waitReasonChanged() {
        return waitReasonChanged;
    }

    State state() {
        return state;
    }

    /**
     * How the decider judges: the tap's quiet time, how many probe failures in a row confirm the service is gone,
     * when a service that keeps answering without a heartbeat is reported as a possible partition, and the recheck.
     */
    record Settings(
            long quietMs, int confirmations, long maxEvaluationMs, long recheckIntervalMs, long clientsWaitingMs) {
        static final int DEFAULT_CONFIRMATIONS = 1;
        static final long DEFAULT_MAX_EVALUATION_MS = 10_000;
        static final long DEFAULT_RECHECK_INTERVAL_MS = 100;

        Settings {
            if (quietMs < 0
                    || confirmations < 1
                    || maxEvaluationMs < 1
                    || recheckIntervalMs < 1
                    || clientsWaitingMs < 0) {
                throw new IllegalArgumentException("bad takeover decider settings: quietMs=" + quietMs
                        + " (>= 0), confirmations="
                        + confirmations + " (>= 1), maxEvaluationMs=" + maxEvaluationMs + " (>= 1), recheckIntervalMs="
                        + recheckIntervalMs + " (>= 1), clientsWaitingMs=" + clientsWaitingMs
                        + " (>= 0, 0: off)");
            }
        }

        /**
         * One failed probe confirms, a recheck every 100 ms, the partition alarm after 10 s, and only a quiet tap (no
         * clients-waiting evidence).
         */
        static Settings of(final long quietMs) {
            return new Settings(
                    quietMs, DEFAULT_CONFIRMATIONS, DEFAULT_MAX_EVALUATION_MS, DEFAULT_RECHECK_INTERVAL_MS, 0);
        }

        Settings withConfirmations(final int count) {
            return new Settings(quietMs, count, maxEvaluationMs, recheckIntervalMs, clientsWaitingMs);
        }

        Settings withMaxEvaluationMs(final long ms) {
            return new Settings(quietMs, confirmations, ms, recheckIntervalMs, clientsWaitingMs);
        }

        Settings withRecheckIntervalMs(final long ms) {
            return new Settings(quietMs, confirmations, maxEvaluationMs, ms, clientsWaitingMs);
        }

        Settings withClientsWaitingMs(final long ms) {
            return new Settings(quietMs, confirmations, maxEvaluationMs, recheckIntervalMs, ms);
        }

        long clientsWaitingNs() {
            return clientsWaitingMs * NS_PER_MS;
        }

        long quietNs() {
            return quietMs * NS_PER_MS;
        }

        long maxEvaluationNs() {
            return maxEvaluationMs * NS_PER_MS;
        }

        long recheckIntervalNs() {
            return recheckIntervalMs * NS_PER_MS;
        }
    }

    /**
     * What the caller saw in one step.
     *
     * @param nowNs                  the caller's monotonic clock (System.nanoTime() in the node).
     * @param peerPresent            the heartbeat view holds the peer.
     * @param probeAnswers           the service answered a direct probe exchange through the service address.
     * @param lastServerProgressNs   when the tap last heard the primary make progress (new bytes, new acks).
     * @param replicaUnfitReason     why this node's replica cannot serve, if it cannot.
     * @param handoverTrigger        the primary asked for a handover, with this trigger text.
     * @param peerHigherEpochPrimary the peer announces it is primary at an epoch above ours.
     * @param clientsWaitingSinceNs  since when client bytes have waited with no progress from the primary heard;
     *                               nowNs (or later) when none wait.
     * @param probed                 a probe ran in this step; false when the step takes the early probes' streak
     *                               as it stands (probeAnswers is then ignored, and the streak does not move).
     */
    record Observation(
            long nowNs,
            boolean peerPresent,
            boolean probeAnswers,
            long lastServerProgressNs,
            Optional<String> replicaUnfitReason,
            Optional<String> handoverTrigger,
            boolean peerHigherEpochPrimary,
            long clientsWaitingSinceNs,
            boolean probed) {
        Observation {
            Objects.requireNonNull(replicaUnfitReason, "replicaUnfitReason");
            Objects.requireNonNull(handoverTrigger, "handoverTrigger");
        }

        /** An observation whose step ran a probe. */
        Observation(
                final long nowNs,
                final boolean peerPresent,
                final boolean probeAnswers,
                final long lastServerProgressNs,
                final Optional<String> replicaUnfitReason,
                final Optional<String> handoverTrigger,
                final boolean peerHigherEpochPrimary,
                final long clientsWaitingSinceNs) {
            this(
                    nowNs,
                    peerPresent,
                    probeAnswers,
                    lastServerProgressNs,
                    replicaUnfitReason,
                    handoverTrigger,
                    peerHigherEpochPrimary,
                    clientsWaitingSinceNs,
                    true);
        }

        /** An observation with no clients waiting. */
        Observation(
                final long nowNs,
                final boolean peerPresent,
                final boolean probeAnswers,
                final long lastServerProgressNs,
                final Optional<String> replicaUnfitReason,
                final Optional<String> handoverTrigger,
                final boolean peerHigherEpochPrimary) {
            this(
                    nowNs,
                    peerPresent,
                    probeAnswers,
                    lastServerProgressNs,
                    replicaUnfitReason,
                    handoverTrigger,
                    peerHigherEpochPrimary,
                    nowNs);
        }
    }

    /** What the caller does after a step. Wait and StillServing keep evaluating; the others end it. */
    sealed interface Decision {
        /** Whether the evaluation is over with this decision. */
        default boolean isFinal() {
            return false;
        }

        /** The primary may still serve: observe again in {@code nextCheckInNs}. */
        record Wait(String reason, long nextCheckInNs) implements Decision {}

        /**
         * Reported once, after maxEvaluationMs without a heartbeat while the service answers: likely a partition of
         * the heartbeat's path, for an alarm; otherwise a Wait (no takeover while the service answers).
         */
        record StillServing(String alarm, String reason, long nextCheckInNs) implements Decision {}

        /** Take the service over now; {@code trigger} goes into the failover report. */
        record TakeOver(String trigger) implements Decision {
            @Override
            public boolean isFinal() {
                return true;
            }
        }

        /** This node's replica cannot serve: no takeover, ever, in this evaluation. */
        record Refuse(String reason) implements Decision {
            @Override
            public boolean isFinal() {
                return true;
            }
        }

        /** The heartbeat is back: stop evaluating. */
        record StandDown() implements Decision {
            @Override
            public boolean isFinal() {
                return true;
            }
        }
    }
}
