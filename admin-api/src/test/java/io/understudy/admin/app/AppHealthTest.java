package io.understudy.admin.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Streaks of failed checks with a hand-moved clock: the app counts as hung once per streak that reaches three. */
class AppHealthTest {
    private static final AppCheck.Result PONG = new AppCheck.Result(true, 0, "reply '+PONG\\r\\n'");
    private static final AppCheck.Result SILENT = new AppCheck.Result(false, 400, "no reply within 400 ms");
    private static final long STEP_NS = 600_000_000L;

    private final AppHealth health = new AppHealth(3);
    private long nowNs = 1_000_000_000L;

    @Test
    void shouldFireOncePerStreakWhenFailuresReachTheThreshold() {
        assertThat(feed(SILENT, SILENT, PONG)).containsExactly(false, false, false);
        assertThat(health.lastSuccessNs()).isEqualTo(nowNs);

        assertThat(feed(SILENT, SILENT, SILENT)).containsExactly(false, false, true);
        assertThat(health.isHung()).isTrue();
        assertThat(health.failuresInRow()).isEqualTo(3);

        assertThat(feed(SILENT)).containsExactly(false);
        assertThat(health.isHung()).isTrue();
        assertThat(health.failuresInRow()).isEqualTo(4);
        assertThat(health.lastResult()).isEqualTo(SILENT);

        assertThat(feed(PONG)).containsExactly(false);
        assertThat(health.isHung()).isFalse();
        assertThat(health.failuresInRow()).isZero();

        assertThat(feed(SILENT, SILENT, SILENT)).containsExactly(false, false, true);
    }

    @Test
    void shouldKnowNoSuccessWhenNoCheckPassedYet() {
        assertThat(health.lastSuccessNs()).isEqualTo(Long.MIN_VALUE);
        assertThat(health.lastResult()).isNull();
        assertThat(health.isHung()).isFalse();
    }

    @Test
    void shouldFireAtTheFirstFailureWhenTheThresholdIsOne() {
        final AppHealth eager = new AppHealth(1);

        assertThat(eager.onResult(SILENT, 1)).isTrue();
        assertThat(eager.onResult(SILENT, 2)).isFalse();
    }

    private boolean[] feed(final AppCheck.Result... results) {
        final boolean[] fired = new boolean[results.length];
        for (int i = 0; i < results.length; i++) {
            nowNs += STEP_NS;
            fired[i] = health.onResult(results[i], nowNs);
        }
        return fired;
    }
}
