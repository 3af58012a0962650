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
        assertThat(EarlyProbes.classify(false, 20, 100, 4_000, 3_000)).isEqualTo(EarlyProbes.Heartbeat.ON_TIME);
        assertThat(EarlyProbes.classify(false, 50, 100, 4_000, 3_000))
                .as("fast beats late: probe, even though the view lost the peer seconds ago")
                .isEqualTo(EarlyProbes.Heartbeat.LATE);
        assertThat(EarlyProbes.classify(false, 100, 100, 4_000, 3_000)).isEqualTo(EarlyProbes.Heartbeat.LOST);
        assertThat(EarlyProbes.classify(true, 120, 100, 10, 3_000))
                .as("fast beats silent: lost, whatever the view says")
                .isEqualTo(EarlyProbes.Heartbeat.LOST);
    }

    @Test
    void shouldFollowTheViewWhenNoFastBeatWasHeard() {
        assertThat(EarlyProbes.classify(true, -1, 100, 1_499, 3_000)).isEqualTo(EarlyProbes.Heartbeat.ON_TIME);
        assertThat(EarlyProbes.classify(true, -1, 100, 1_500, 3_000)).isEqualTo(EarlyProbes.Heartbeat.LATE);
        assertThat(EarlyProbes.classify(false, -1, 100, 10, 3_000)).isEqualTo(EarlyProbes.Heartbeat.LOST);
    }

    @Test
    void shouldRefuseNonPositiveSettings() {
        assertThatThrownBy(() -> new EarlyProbes(0, 200)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EarlyProbes(100, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
