package io.understudy.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the status and the connections list count as protected: open connections only. */
class TapConnectionTest {
    @Test
    void shouldCountOnlyOpenConnectionsAsProtectedOrNot() {
        final List<TapConnection> connections = List.of(
                connection("ESTABLISHED", true),
                connection("ESTABLISHED", true),
                connection("ESTABLISHED", false),
                connection("CLOSED", true),
                connection("RESET", false));

        assertThat(TapConnection.protectionCounts(connections)).containsExactly(2, 1);
        assertThat(TapConnection.protectionCounts(List.of())).containsExactly(0, 0);
    }

    private static TapConnection connection(final String state, final boolean protectedNow) {
        return new TapConnection(
                1,
                "198.18.0.1:40000",
                "198.18.0.100:7070",
                state,
                protectedNow,
                protectedNow ? null : "diverged",
                10,
                20,
                10,
                20,
                10,
                20,
                0,
                0,
                false,
                protectedNow ? "exact" : "none",
                0,
                0);
    }
}
