package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.admin.core.TakeoverDecider.Decision;
import io.understudy.admin.core.TakeoverDecider.Observation;
import io.understudy.admin.core.TakeoverDecider.Settings;
import io.understudy.admin.core.TakeoverDecider.State;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The takeover decision with a hand-moved clock: the heartbeat was lost at {@link #LOST_NS}, each step says what the
 * probe, the tap, membership and the replica showed, and the decider says wait, take over, refuse or stand down.
 */
class TakeoverDeciderTest {
    private static final long MS = 1_000_000L;
    private static final long LOST_NS = 50_000 * MS;
    private static final long QUIET_MS = 200;
    private static final long RECHECK_NS = 100 * MS;
    private static final String LOSS = "node-a suspected";
    /** The rules with a 100 ms recheck, the figures these tests were written with. */
    private static final Settings SETTINGS = Settings.of(QUIET_MS).withRecheckIntervalMs(100);

    private static final String TRIGGER = "heartbeat lost (node-a suspected), service probe failed, tap quiet";

    private TakeoverDecider decider = new TakeoverDecider(SETTINGS, LOSS, LOST_NS);

    /** A step where the peer is absent and nothing special holds: the probe and the tap's last progress vary. */
    private static Observation gone(final long nowNs, final boolean probeAnswers, final long lastProgressNs) {
        return new Observation(nowNs, false, probeAnswers, lastProgressNs, Optional.empty(), Optional.empty(), false);
    }

    @Test
    void shouldWaitWhileTheTapIsNotQuietLongEnoughThenTakeOverWhenItIs() {
        final long lastProgressNs = LOST_NS;

        assertThat(decider.next(gone(LOST_NS + 50 * MS, false, lastProgressNs)))
                .isEqualTo(new Decision.Wait(TakeoverDecider.TAP_HEARS, RECHECK_NS));
        assertThat(decider.next(gone(LOST_NS + QUIET_MS * MS, false, lastProgressNs)))
                .as("exactly quietMs is not yet quiet, as in the node's loop; the next check when it is")
                .isEqualTo(new Decision.Wait(TakeoverDecider.TAP_HEARS, 1));
        assertThat(decider.state()).isEqualTo(State.EVALUATING);

        final Decision decision = decider.next(gone(LOST_NS + QUIET_MS * MS + 1, false, lastProgressNs));

        assertThat(decision).isEqualTo(new Decision.TakeOver(TRIGGER));
        assertThat(decision.isFinal()).isTrue();
        assertThat(decider.state()).isEqualTo(State.TOOK_OVER);
    }

    @Test
    void shouldTakeOverAtTheFirstFailedProbeWhenProbesHadFailedWhileTheHeartbeatWasLate() {
        final Settings twice = SETTINGS.withConfirmations(2);
        final TakeoverDecider seeded = new TakeoverDecider(twice, LOSS, LOST_NS, 0, 1);
        final long quietSinceNs = LOST_NS - 1_000 * MS;

        final Decision decision = seeded.next(gone(LOST_NS + 110 * MS, false, quietSinceNs));

        assertThat(decision)
                .isEqualTo(new Decision.TakeOver("heartbeat lost (node-a suspected), service probe "
                        + "failed 2 times in a row (1 while the heartbeat was late), tap quiet"));
        assertThat(new TakeoverDecider(twice, LOSS, LOST_NS).next(gone(LOST_NS + 110 * MS, false, quietSinceNs)))
                .as("without the early failure one probe is not enough")
                .isEqualTo(new Decision.Wait("the direct probe failed 1 of 2 times in a row", RECHECK_NS));
    }

    @Test
    void shouldTakeTheEarlyProbesStreakAsItsFirstStepsProbeWhenItConfirmsAlready() {
        final Settings twice = SETTINGS.withConfirmations(2).withClientsWaitingMs(60);

        assertThat(new TakeoverDecider(twice, LOSS, LOST_NS, 0, 2).next(notProbed(false)))
                .isEqualTo(new Decision.TakeOver("heartbeat lost (node-a suspected), service probe failed 2 times in "
                        + "a row (2 while the heartbeat was late), clients waited 70 ms with no progress from it"));
        assertThat(new TakeoverDecider(twice, LOSS, LOST_NS, 0, 1).next(notProbed(false)))
                .as("one early failure and no probe of its own: not confirmed, and nothing counted for the step")
                .isEqualTo(new Decision.Wait("the direct probe failed 1 of 2 times in a row", RECHECK_NS));
        assertThat(new TakeoverDecider(twice, LOSS, LOST_NS, 0, 2).next(notProbed(true)))
                .as("a step that ran no probe has no answer to count")
                .isInstanceOf(Decision.TakeOver.class);
    }

    /** A step at the loss that ran no probe, clients waiting 70 ms with no progress since. */
    private static Observation notProbed(final boolean probeAnswers) {
        final long sinceNs = LOST_NS - 70 * MS;
        return new Observation(
                LOST_NS, false, probeAnswers, sinceNs, Optional.empty(), Optional.empty(), false, sinceNs, false);
    }

    @Test
    void shouldNotCountEarlyFailuresWhenTheFirstProbeAfterTheLossAnswers() {
        final TakeoverDecider seeded = new TakeoverDecider(SETTINGS.withConfirmations(2), LOSS, LOST_NS, 0, 5);
        final long quietSinceNs = LOST_NS - 1_000 * MS;

        assertThat(seeded.next(gone(LOST_NS + 10 * MS, true, quietSinceNs)))
                .isEqualTo(new Decision.Wait(TakeoverDecider.ANSWERS_PROBE, RECHECK_NS));
        assertThat(seeded.next(gone(LOST_NS + 120 * MS, false, quietSinceNs)))
                .as("the streak started again from the answer")
                .isEqualTo(new Decision.Wait("the direct probe failed 1 of 2 times in a row", RECHECK_NS));
        assertThatThrownBy(() -> new TakeoverDecider(SETTINGS, LOSS, LOST_NS, 0, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failedBefore");
    }

    @Test
    void shouldWaitWithTheProbeAsReasonWhenTheServiceAnswers() {
        final long longQuietNs = LOST_NS - 10_000 * MS;

        final Decision decision = decider.next(gone(LOST_NS + 10 * MS, true, longQuietNs));

        assertThat(decision).isEqualTo(new Decision.Wait("it answers a direct probe", RECHECK_NS));
        assertThat(decision.isFinal()).isFalse();
        assertThat(decider.lastWaitReason()).isEqualTo("it answers a direct probe");
        assertThat(decider.next(gone(LOST_NS + 5_000 * MS, true, longQuietNs)))
                .as("still answering seconds later: never a takeover")
                .isEqualTo(new Decision.Wait("it answers a direct probe", RECHECK_NS));
    }

    @Test
    void shouldReportAWaitReasonChangeOnlyWhenTheReasonChanges() {
        decider.next(gone(LOST_NS + 10 * MS, true, LOST_NS));
        assertThat(decider.waitReasonChanged()).as("the first wait").isTrue();

        decider.next(gone(LOST_NS + 110 * MS, true, LOST_NS));
        assertThat(decider.waitReasonChanged()).as("the same reason again").isFalse();
        assertThat(decider.lastWaitReason()).isEqualTo("it answers a direct probe");

        decider.next(gone(LOST_NS + 120 * MS, false, LOST_NS + 100 * MS));
        assertThat(decider.waitReasonChanged()).as("probe fails, tap hears it").isTrue();
        assertThat(decider.lastWaitReason()).isEqualTo("the tap still hears it");

        decider.next(gone(LOST_NS + 220 * MS, false, LOST_NS + 200 * MS));
        assertThat(decider.waitReasonChanged()).isFalse();
        assertThat(decider.lastWaitReason()).isEqualTo("the tap still hears it");
    }

    @Test
    void shouldStandDownWhenTheHeartbeatIsBack() {
        decider.next(gone(LOST_NS + 10 * MS, true, LOST_NS));

        final Decision decision = decider.next(new Observation(
                LOST_NS + 110 * MS,
                true,
                false,
                LOST_NS - 10_000 * MS,
                Optional.empty(),
                Optional.of("planned handover drill from node-a"),
                false));

        assertThat(decision)
                .as("the peer is back: even a dead probe and a quiet tap decide nothing")
                .isEqualTo(new Decision.StandDown());
        assertThat(decision.isFinal()).isTrue();
        assertThat(decider.state()).isEqualTo(State.STOOD_DOWN);
        assertThat(decider.waitReasonChanged()).isFalse();
    }

    @Test
    void shouldRefuseWithWhatClientsSeeWhenTheReplicaIsUnfitEvenWhenAHandoverIsAsked() {
        final Decision decision = decider.next(new Observation(
                LOST_NS + 10 * MS,
                false,
                false,
                LOST_NS - 10_000 * MS,
                Optional.of("the app exited with 137"),
                Optional.of("planned handover"),
                false));

        assertThat(decision)
                .isEqualTo(new Decision.Refuse("the primary looks gone, but this node does not take "
                        + "over: the app exited with 137; clients see what they would without Understudy"));
        assertThat(decision.isFinal()).isTrue();
        assertThat(decider.state()).isEqualTo(State.REFUSED);
    }

    @Test
    void shouldTakeOverWithTheHandoverTriggerAtOnceWhileTheServiceStillAnswers() {
        final String handover = "app check failed (handed over by node-a)";
        decider.next(gone(LOST_NS + 10 * MS, true, LOST_NS));

        final Decision decision = decider.next(new Observation(
                LOST_NS + 20 * MS, false, true, LOST_NS + 15 * MS, Optional.empty(), Optional.of(handover), false));

        assertThat(decision).isEqualTo(new Decision.TakeOver(handover));
        assertThat(decider.state()).isEqualTo(State.TOOK_OVER);
    }

    @Test
    void shouldNeverTakeOverWhenThePeerIsAPrimaryAtAHigherEpoch() {
        final long longQuietNs = LOST_NS - 10_000 * MS;
        for (long step = 1; step <= 5; step++) {
            final Decision decision = decider.next(new Observation(
                    LOST_NS + step * 1_000 * MS,
                    false,
                    false,
                    longQuietNs,
                    Optional.empty(),
                    step == 3 ? Optional.of("planned handover") : Optional.empty(),
                    true));

            assertThat(decision)
                    .as("step %d: probe failed, tap quiet, %s", step, step == 3 ? "handover asked" : "")
                    .isEqualTo(new Decision.Wait(TakeoverDecider.HIGHER_EPOCH, RECHECK_NS));
        }
        assertThat(decider.lastWaitReason()).isEqualTo("the peer announces it is primary at an epoch above ours");
        assertThat(decider.state()).isEqualTo(State.EVALUATING);

        assertThat(decider.next(gone(LOST_NS + 6_000 * MS, false, longQuietNs)))
                .as("the higher-epoch primary is no longer announced")
                .isEqualTo(new Decision.TakeOver(TRIGGER));
    }

    @Test
    void shouldNeedTwoFailedProbesInARowWhenTwoConfirmationsAreAsked() {
        decider = new TakeoverDecider(SETTINGS.withConfirmations(2), LOSS, LOST_NS);
        final long longQuietNs = LOST_NS - 10_000 * MS;

        assertThat(decider.next(gone(LOST_NS + 100 * MS, false, longQuietNs)))
                .isEqualTo(new Decision.Wait("the direct probe failed 1 of 2 times in a row", RECHECK_NS));
        assertThat(decider.next(gone(LOST_NS + 200 * MS, true, longQuietNs)))
                .as("an answer in between resets the count")
                .isEqualTo(new Decision.Wait(TakeoverDecider.ANSWERS_PROBE, RECHECK_NS));
        assertThat(decider.next(gone(LOST_NS + 300 * MS, false, longQuietNs)))
                .isEqualTo(new Decision.Wait("the direct probe failed 1 of 2 times in a row", RECHECK_NS));
        assertThat(decider.next(gone(LOST_NS + 400 * MS, false, longQuietNs)))
                .isEqualTo(new Decision.TakeOver(
                        "heartbeat lost (node-a suspected), service probe failed 2 times in a row, tap quiet"));
    }

    @Test
    void shouldTakeOverWhenTheTapTurnsQuietAfterTheProbeFailuresAreConfirmed() {
        decider = new TakeoverDecider(SETTINGS.withConfirmations(2), LOSS, LOST_NS);

        assertThat(decider.next(gone(LOST_NS + 100 * MS, false, LOST_NS)))
                .as("one failure: the next check is a full recheck away")
                .isEqualTo(new Decision.Wait(TakeoverDecider.TAP_HEARS, RECHECK_NS));
        assertThat(decider.next(gone(LOST_NS + 150 * MS, false, LOST_NS)))
                .as("two failures: the next check comes when the tap has been quiet quietMs")
                .isEqualTo(new Decision.Wait(TakeoverDecider.TAP_HEARS, 50 * MS + 1));
        assertThat(decider.next(gone(LOST_NS + 200 * MS + 1, false, LOST_NS)))
                .isEqualTo(new Decision.TakeOver(
                        "heartbeat lost (node-a suspected), service probe failed 3 times in a row, tap quiet"));
    }

    @Test
    void shouldTakeOverWhenClientsWaitedOnAPrimaryThatMadeNoProgressWithoutWaitingForTheQuiet() {
        decider = new TakeoverDecider(SETTINGS.withConfirmations(2).withClientsWaitingMs(60), LOSS, LOST_NS, 0, 1);
        final long progressNs = LOST_NS - 40 * MS;
        final long waitingSinceNs = LOST_NS - 30 * MS;

        assertThat(decider.next(waiting(LOST_NS + 20 * MS, progressNs, waitingSinceNs)))
                .as("two failed probes, but clients have waited 50 ms only: the next check when they have waited 60")
                .isEqualTo(new Decision.Wait(TakeoverDecider.TAP_CLIENTS_WAIT, 10 * MS + 1));

        assertThat(decider.next(waiting(LOST_NS + 30 * MS + 1, progressNs, waitingSinceNs)))
                .isEqualTo(new Decision.TakeOver(
                        "heartbeat lost (node-a suspected), service probe failed 3 times in a row (1 while "
                                + "the heartbeat was late), clients waited 60 ms with no progress from it"));
    }

    @Test
    void shouldNotCountWaitingClientsWhenTheEvidenceIsOff() {
        decider = new TakeoverDecider(SETTINGS.withConfirmations(2), LOSS, LOST_NS, 0, 1);
        final long progressNs = LOST_NS - 40 * MS;

        assertThat(decider.next(waiting(LOST_NS + 100 * MS, progressNs, LOST_NS - 30 * MS)))
                .as("clientsWaitingMs 0: only the tap's quiet of 200 ms counts")
                .isEqualTo(new Decision.Wait(TakeoverDecider.TAP_HEARS, 60 * MS + 1));
        assertThat(decider.next(waiting(LOST_NS + 160 * MS + 1, progressNs, LOST_NS - 30 * MS))
                        .isFinal())
                .isTrue();
    }

    @Test
    void shouldNeverTakeOverOnWaitingClientsWhileTheProbeAnswers() {
        decider = new TakeoverDecider(SETTINGS.withConfirmations(2).withClientsWaitingMs(60), LOSS, LOST_NS);

        assertThat(decider.next(waiting(LOST_NS + 500 * MS, LOST_NS - 10 * MS, LOST_NS - 5 * MS, true)))
                .as("clients waited 505 ms, but the service answers a direct probe (a partition of the heartbeat only)")
                .isEqualTo(new Decision.Wait(TakeoverDecider.ANSWERS_PROBE, RECHECK_NS));
        assertThat(decider.next(waiting(LOST_NS + 600 * MS, LOST_NS - 10 * MS, LOST_NS - 5 * MS)))
                .as("one failed probe is not enough")
                .isInstanceOf(Decision.Wait.class);
    }

    private static Observation waiting(final long nowNs, final long lastProgressNs, final long waitingSinceNs) {
        return waiting(nowNs, lastProgressNs, waitingSinceNs, false);
    }

    private static Observation waiting(
            final long nowNs, final long lastProgressNs, final long waitingSinceNs, final boolean probeAnswers) {
        return new Observation(
                nowNs, false, probeAnswers, lastProgressNs, Optional.empty(), Optional.empty(), false, waitingSinceNs);
    }

    @Test
    void shouldReportStillServingOnceWhenTheServiceAnswersPastMaxEvaluation() {
        decider = new TakeoverDecider(SETTINGS.withMaxEvaluationMs(1_000), LOSS, LOST_NS);

        assertThat(decider.next(gone(LOST_NS + 999 * MS, true, LOST_NS)))
                .isEqualTo(new Decision.Wait(TakeoverDecider.ANSWERS_PROBE, RECHECK_NS));
        assertThat(decider.next(gone(LOST_NS + 1_000 * MS, false, LOST_NS + 950 * MS)))
                .as("past the limit, but the service does not answer this time: no alarm")
                .isEqualTo(new Decision.Wait(TakeoverDecider.TAP_HEARS, RECHECK_NS));

        final Decision alarm = decider.next(gone(LOST_NS + 1_100 * MS, true, LOST_NS + 1_050 * MS));

        assertThat(alarm)
                .isEqualTo(new Decision.StillServing(
                        "still serving: partition? the heartbeat from "
                                + "node-a suspected has been lost for 1100 ms, but the service answers a direct probe; not taking over",
                        TakeoverDecider.ANSWERS_PROBE,
                        RECHECK_NS));
        assertThat(alarm.isFinal()).isFalse();
        assertThat(decider.state()).isEqualTo(State.EVALUATING);
        assertThat(decider.next(gone(LOST_NS + 1_200 * MS, true, LOST_NS + 1_150 * MS)))
                .as("reported once: a plain wait afterwards")
                .isEqualTo(new Decision.Wait(TakeoverDecider.ANSWERS_PROBE, RECHECK_NS));
        assertThat(decider.next(gone(LOST_NS + 60_000 * MS, true, LOST_NS + 59_000 * MS)))
                .isEqualTo(new Decision.Wait(TakeoverDecider.ANSWERS_PROBE, RECHECK_NS));
    }

    @Test
    void shouldRefuseAnotherStepWhenTheDecisionIsMade() {
        decider.next(gone(LOST_NS + 300 * MS, false, LOST_NS));

        assertThatThrownBy(() -> decider.next(gone(LOST_NS + 400 * MS, false, LOST_NS)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("state=TOOK_OVER");
        assertThat(decider.state()).isEqualTo(State.TOOK_OVER);
    }

    @Test
    void shouldRejectAClockRunningBackwardsAndChangeNothing() {
        decider.next(gone(LOST_NS + 100 * MS, true, LOST_NS));

        assertThatThrownBy(() -> decider.next(gone(LOST_NS + 50 * MS, false, LOST_NS - 10_000 * MS)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nowNs=" + (LOST_NS + 50 * MS));
        assertThat(decider.state()).isEqualTo(State.EVALUATING);
        assertThat(decider.lastWaitReason()).isEqualTo(TakeoverDecider.ANSWERS_PROBE);
    }

    @Test
    void shouldRejectSettingsThatCannotDecide() {
        assertThatThrownBy(() -> SETTINGS.withConfirmations(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("confirmations=0");
        assertThat(Settings.of(QUIET_MS)).isEqualTo(new Settings(QUIET_MS, 1, 10_000, 100, 0));
        assertThatThrownBy(() -> SETTINGS.withClientsWaitingMs(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clientsWaitingMs=-1");
    }
}
