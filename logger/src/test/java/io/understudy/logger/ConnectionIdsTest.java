package io.understudy.logger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionIdsTest {
    @Test
    void shouldGiveIdsThatAJsonReaderHoldingDoublesReadsExactly() {
        final long first = ConnectionIds.startingNow() + 1;
        final long later = first + 50_000_000; // fifty million connections later

        for (final long id : new long[] {first, first + 1, later}) {
            // What JavaScript's JSON.parse and jq hold a number as: an IEEE double.
            assertThat((long) (double) id).as("id %d as a double", id).isEqualTo(id);
        }
        assertThat((double) first).as("two neighbours stay apart").isNotEqualTo((double) (first + 1));
    }

    @Test
    void shouldStartANumberingLaterAboveTheIdsOfOneStartedBefore() throws Exception {
        final long before = ConnectionIds.startingNow();
        Thread.sleep(3);
        assertThat(ConnectionIds.startingNow())
                .as("a restart 3 ms later starts past the first 3,072 ids of the one before")
                .isGreaterThanOrEqualTo(before + 3 * (1L << ConnectionIds.SHIFT));
    }
}
