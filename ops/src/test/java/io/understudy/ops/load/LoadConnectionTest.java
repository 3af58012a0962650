package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The send schedule of one connection. */
final class LoadConnectionTest {
    @Test
    void shouldSendOnNextTickWhenReplyCameWithinInterval() {
        assertThat(LoadConnection.nextTickNs(100, 102, 5)).isEqualTo(105);
        assertThat(LoadConnection.nextTickNs(100, 105, 5)).isEqualTo(105);
    }

    @Test
    void shouldSkipMissedTicksWhenReplyWasLate() {
        assertThat(LoadConnection.nextTickNs(100, 107, 5)).isEqualTo(110);
        assertThat(LoadConnection.nextTickNs(100, 110, 5)).isEqualTo(110);
        assertThat(LoadConnection.nextTickNs(100, 2_000, 5)).isEqualTo(2_000);
    }

    @Test
    void shouldSendAtOnceWhenIntervalIsZero() {
        assertThat(LoadConnection.nextTickNs(100, 123, 0)).isEqualTo(123);
    }
}
