package io.understudy.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A frame's time is when the kernel stamped it, not when a lagging capture thread got to it. */
class CaptureLagTest {
    private static final long NOW_NS = 9_000_000_000_000L;
    private static final Instant WALL_NOW = Instant.parse("2026-12-01T18:00:00.500000Z");
    private static final long WALL_NOW_US = WALL_NOW.getEpochSecond() * 1_000_000L + WALL_NOW.getNano() / 1_000;

    @Test
    void shouldDateAFrameByItsCaptureStamp() {
        final long stamped = micros(Instant.parse("2026-12-01T18:00:00.250123Z"));
        assertThat(CaptureAgent.frameNs(NOW_NS, WALL_NOW_US, stamped)).isEqualTo(NOW_NS - 249_877_000L);
    }

    @Test
    void shouldNeverDateAFrameInTheFutureOrMoreThanFiveSecondsBack() {
        assertThat(CaptureAgent.frameNs(NOW_NS, WALL_NOW_US, micros(Instant.parse("2026-12-01T18:00:01Z"))))
                .isEqualTo(NOW_NS);
        assertThat(CaptureAgent.frameNs(NOW_NS, WALL_NOW_US, micros(Instant.parse("2026-12-01T17:00:00Z"))))
                .isEqualTo(NOW_NS - 5_000_000_000L);
        assertThat(CaptureAgent.frameNs(NOW_NS, WALL_NOW_US, 0)).as("no stamp").isEqualTo(NOW_NS);
    }

    private static long micros(final Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }
}
