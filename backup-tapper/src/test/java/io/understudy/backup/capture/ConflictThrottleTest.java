package io.understudy.backup.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The watch reports a MAC at most once per interval, each MAC on its own clock, with a hand-moved clock. */
class ConflictThrottleTest {
    private static final long INTERVAL_NS = 100_000_000L;

    @Test
    void shouldReportAMacOncePerIntervalWhenItRepeats() {
        final ConflictThrottle throttle = new ConflictThrottle(INTERVAL_NS);

        assertThat(throttle.tryReport("aa:bb:00:00:00:01", 1_000)).isTrue();
        assertThat(throttle.tryReport("aa:bb:00:00:00:01", 1_000 + INTERVAL_NS - 1))
                .isFalse();
        assertThat(throttle.tryReport("aa:bb:00:00:00:01", 1_000 + INTERVAL_NS)).isTrue();
        assertThat(throttle.tryReport("aa:bb:00:00:00:01", 1_000 + INTERVAL_NS + 5))
                .isFalse();
    }

    @Test
    void shouldReportEachMacWhenTwoClaimAtOnce() {
        final ConflictThrottle throttle = new ConflictThrottle(INTERVAL_NS);

        assertThat(throttle.tryReport("aa:bb:00:00:00:01", 0)).isTrue();
        assertThat(throttle.tryReport("aa:bb:00:00:00:02", 1)).isTrue();
        assertThat(throttle.tryReport("aa:bb:00:00:00:01", 2)).isFalse();
        assertThat(throttle.tryReport("aa:bb:00:00:00:02", 3)).isFalse();
    }

    @Test
    void shouldStillReportANewMacWhenAFloodOfForgedMacsFillsIt() {
        final ConflictThrottle throttle = new ConflictThrottle(INTERVAL_NS);
        for (int i = 0; i < ConflictThrottle.MAX_MACS * 3; i++) {
            assertThat(throttle.tryReport(String.format("02:00:00:00:%02x:%02x", i >> 8, i & 0xff), i))
                    .isTrue();
        }

        assertThat(throttle.tryReport("aa:bb:00:00:00:01", 10 * INTERVAL_NS)).isTrue();
        assertThat(throttle.remembered()).isLessThanOrEqualTo(ConflictThrottle.MAX_MACS);
    }
}
