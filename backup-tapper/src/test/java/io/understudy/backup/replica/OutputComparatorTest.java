package io.understudy.backup.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The replica's output against the primary's, in exact and same-length mode, over pieces as they arrive. */
class OutputComparatorTest {
    private static final String PRIMARY = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Thu, 03 Dec 2026 10:35:59 GMT\r\n"
            + "Content-Length: 2\r\n\r\n7\n";
    /** The same reply, written by the replica's nginx a second later: the Date's seconds and minutes differ. */
    private static final String REPLICA = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Thu, 03 Dec 2026 10:36:00 GMT\r\n"
            + "Content-Length: 2\r\n\r\n7\n";

    @Test
    void shouldEndProtectionAtTheFirstDifferingByteInExactMode() {
        final OutputComparator exact = new OutputComparator(DivergencePolicy.EXACT);

        final String why = compare(exact, 1000, PRIMARY, REPLICA);

        assertThat(why)
                .isEqualTo("replica output differs from the primary's at server offset "
                        + (1000 + PRIMARY.indexOf("5:59")) + ": primary 0x35, replica 0x36");
        assertThat(compare(new OutputComparator(DivergencePolicy.EXACT), 0, PRIMARY, PRIMARY))
                .isNull();
    }

    @Test
    void shouldTolerateAndCountADateHeaderThatDiffersInSameLengthMode() {
        final OutputComparator sameLength = new OutputComparator(DivergencePolicy.sameLength(32));

        assertThat(compare(sameLength, 0, PRIMARY, REPLICA)).isNull();
        assertThat(compare(sameLength, PRIMARY.length(), PRIMARY, PRIMARY)).isNull();
        assertThat(compare(sameLength, 2L * PRIMARY.length(), PRIMARY, REPLICA)).isNull();

        assertThat(sameLength.toleratedDifferences())
                .as("one difference per differing Date")
                .isEqualTo(2);
        assertThat(sameLength.differingBytes())
                .as("'5:59' against '6:00': 3 bytes each time")
                .isEqualTo(6);
    }

    @Test
    void shouldFollowOneDifferenceAcrossPiecesAsTheyArrive() {
        final OutputComparator sameLength = new OutputComparator(DivergencePolicy.sameLength(32));
        final int split = PRIMARY.indexOf("5:59") + 2; // between "5:" and "59"

        assertThat(compare(sameLength, 0, PRIMARY.substring(0, split), REPLICA.substring(0, split)))
                .isNull();
        assertThat(compare(sameLength, split, PRIMARY.substring(split), REPLICA.substring(split)))
                .isNull();

        assertThat(sameLength.toleratedDifferences()).isEqualTo(1);
    }

    @Test
    void shouldEndProtectionWhenADifferenceIsLongerThanTheLimit() {
        final OutputComparator sameLength = new OutputComparator(DivergencePolicy.sameLength(8));
        // A state difference that changes no length but spans 10 bytes: "1234567890" against "0987654321".
        final String why = compare(sameLength, 0, "value=1234567890;", "value=0987654321;");

        assertThat(why)
                .startsWith("replica output differs from the primary's at server offset 14")
                .contains("a difference over more than 8 bytes from offset 6");
    }

    @Test
    void shouldEndProtectionWhenAReplyOfAnotherLengthShiftsTheRestOfTheStream() {
        final OutputComparator sameLength = new OutputComparator(DivergencePolicy.sameLength(32));
        // The replica's reply is one byte longer ("10" where the primary said "9"): everything after it is shifted.
        final String primary = "Content-Length: 9\r\n\r\nnine byte" + PRIMARY;
        final String replica = "Content-Length: 10\r\n\r\nten bytes!" + PRIMARY;

        assertThat(compare(sameLength, 0, primary, replica.substring(0, primary.length())))
                .contains("a difference over more than 32 bytes");
    }

    @Test
    void shouldRefuseAMaximumOutsideItsRangeOrInExactMode() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> DivergencePolicy.sameLength(0))
                .withMessageContaining("1..4096");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new DivergencePolicy(false, 5))
                .withMessageContaining("same-length only");
    }

    private static String compare(
            final OutputComparator comparator, final long offset, final String primary, final String replica) {
        final byte[] p = primary.getBytes(StandardCharsets.US_ASCII);
        final byte[] r = replica.getBytes(StandardCharsets.US_ASCII);
        assertThat(r.length).as("the test compares equal lengths").isEqualTo(p.length);
        return comparator.compare(offset, p, r, p.length);
    }
}
