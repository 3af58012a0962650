package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The streak of probes failed while the heartbeat was late, with a hand-moved clock. */
class EarlyProbesTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 7_000 * MS;

    private final EarlyProbes probes = new EarlyProbes(100, 200);

    @Test
    void shouldCountFailuresInARowSpacedByTheIntervalWhileFresh() {
        assertThat(probes.due(T0)).as("nothing probed yet").isTrue();
        probes.record(false, T0, T0 + 100 * MS);
        assertThat(probes.due(T0 + 99 * MS)).isFalse();
        assertThat(probes.due(T0 + 100 * MS)).isTrue();
        probes.record(false, T0 + 100 * MS, T0 + 200 * MS);

        assertThat(probes.streakAt(T0 + 250 * MS)).isEqualTo(2);
        assertThat(probes.streakAt(T0 + 400 * MS))
                .as("the last failure 200 ms ago still counts")
                .isEqualTo(2);
        assertThat(probes.streakAt(T0 + 401 * MS)).as("older: stale").isZero();
    }

    @Test
    void shouldStartAgainWhenAProbeAnswersOrTheHeartbeatIsBack() {
        probes.record(false, T0, T0 + 100 * MS);
        probes.record(true, T0 + 100 * MS, T0 + 101 * MS);
        assertThat(probes.streakAt(T0 + 150 * MS)).isZero();

        probes.record(false, T0 + 200 * MS, T0 + 300 * MS);
        assertThat(probes.streakAt(T0 + 310 * MS)).isEqualTo(1);
        probes.reset();
        assertThat(probes.streakAt(T0 + 310 * MS)).isZero();
        assertThat(probes.due(T0 + 310 * MS))
                .as("a reset allows a probe at once")
                .isTrue();
    }

    @Test
    void shouldProbeAPeerTheViewDroppedWhileItsFastBeatsAreLate() {
        // A loaded host: JGroups suspected the peer falsely and dropped it from the view; its fast beats still come.
        assertThat(EarlyProbes.classify(false, 20, 100, 50, 4_000, 3_000)).isEqualTo(EarlyProbes.Heartbeat.ON_TIME);
        assertThat(EarlyProbes.classify(false, 50, 100, 50, 4_000, 3_000))
                .as("fast beats late: probe, even though the view lost the peer seconds ago")
                .isEqualTo(EarlyProbes.Heartbeat.LATE);
        assertThat(EarlyProbes.classify(false, 100, 100, 50, 4_000, 3_000)).isEqualTo(EarlyProbes.Heartbeat.LOST);
        assertThat(EarlyProbes.classify(true, 120, 100, 50, 10, 3_000))
                .as("fast beats silent: lost, whatever the view says")
                .isEqualTo(EarlyProbes.Heartbeat.LOST);
    }

    @Test
    void shouldFollowTheViewWhenNoFastBeatWasHeard() {
        assertThat(EarlyProbes.classify(true, -1, 100, 50, 1_499, 3_000)).isEqualTo(EarlyProbes.Heartbeat.ON_TIME);
        assertThat(EarlyProbes.classify(true, -1, 100, 50, 1_500, 3_000)).isEqualTo(EarlyProbes.Heartbeat.LATE);
        assertThat(EarlyProbes.classify(false, -1, 100, 50, 10, 3_000)).isEqualTo(EarlyProbes.Heartbeat.LOST);
    }

    @Test
    void shouldStartEarlyEnoughForTwoBackToBackProbesToEndBeforeTheSilenceIsDeclared() {
        // beats every 20 ms, silent after 100, probes of 30 ms, two confirmations, 5 ms ticks
        final long lateMs = EarlyProbes.lateAfterMs(20, 100, 30, 2, 5);
        assertThat(lateMs).isEqualTo(30);
        assertThat(lateMs + 2 * (30 + 5)).as("both ended by the declaration").isLessThanOrEqualTo(100);
        assertThat(EarlyProbes.classify(true, 29, 100, lateMs, 10, 3_000)).isEqualTo(EarlyProbes.Heartbeat.ON_TIME);
        assertThat(EarlyProbes.classify(true, 30, 100, lateMs, 10, 3_000)).isEqualTo(EarlyProbes.Heartbeat.LATE);
        assertThat(EarlyProbes.lateAfterMs(20, 60, 30, 2, 5))
                .as("never before one beat is missed")
                .isEqualTo(20);
        assertThat(EarlyProbes.lateAfterMs(20, 400, 30, 2, 5))
                .as("never later than half the silence")
                .isEqualTo(200);
    }

    @Test
    void shouldConfirmTheLossOnlyWithEnoughFailuresTheLastOfThemFresh() {
        final EarlyProbes backToBack = new EarlyProbes(30, 200);
        assertThat(backToBack.due(T0)).isTrue();
        backToBack.record(false, T0, T0 + 30 * MS);
        assertThat(backToBack.due(T0 + 29 * MS)).isFalse();
        assertThat(backToBack.due(T0 + 30 * MS)).as("the next one at once").isTrue();
        assertThat(backToBack.confirms(T0 + 31 * MS, 2, 35 * MS))
                .as("one failure")
                .isFalse();
        backToBack.record(false, T0 + 35 * MS, T0 + 65 * MS);

        assertThat(backToBack.confirms(T0 + 70 * MS, 2, 35 * MS)).isTrue();
        assertThat(backToBack.confirms(T0 + 101 * MS, 2, 35 * MS))
                .as("the last failure 36 ms old: the decision probes again")
                .isFalse();
        assertThat(backToBack.streakAt(T0 + 101 * MS)).as("and still counts it").isEqualTo(2);
        backToBack.record(true, T0 + 70 * MS, T0 + 71 * MS);
        assertThat(backToBack.confirms(T0 + 72 * MS, 2, 35 * MS))
                .as("an answer ends the streak")
                .isFalse();
    }

    @Test
    void shouldRefuseNonPositiveSettings() {
        assertThatThrownBy(() -> new EarlyProbes(0, 200)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EarlyProbes(100, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
