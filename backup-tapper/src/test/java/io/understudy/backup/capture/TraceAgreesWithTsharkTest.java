package io.understudy.backup.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.fixtures.FixturePorts;
import io.understudy.backup.fixtures.TsharkOracle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trace reader (the tap's own decoder and tracker) against Wireshark's dissection of every recorded fixture:
 * the same connections, in the same order, every field equal.
 */
class TraceAgreesWithTsharkTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "many-connections",
                "loss-to-server",
                "bulk",
                "rst",
                "fin-both",
                "wrap-established",
                "repair-exit"
            })
    public void shouldAgreeWithTsharkFieldForFieldWhenReadingFixture(final String fixture) throws Exception {
        final int port = FixturePorts.of(fixture);
        final List<? extends Map<String, Object>> expected =
                TsharkOracle.expected(FIXTURES.resolve(fixture + ".tshark.tsv"), port);

        final TraceResult trace = PcapTrace.read(FIXTURES.resolve(fixture + ".pcap"), Set.of(port), true);

        assertThat(trace.skipped()).as("frames skipped").isEmpty();
        assertThat(trace.connections()).as("connections").hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            final Map<String, Object> actual =
                    normalized(trace.connections().get(i).fields());
            assertThat(actual.keySet())
                    .as("fields, in order")
                    .containsExactlyElementsOf(expected.get(i).keySet());
            assertThat(actual).as("connection %d of %s", i, fixture).isEqualTo(normalized(expected.get(i)));
        }
    }

    /** Numbers as longs, so an int field and a long field with the same value compare equal. */
    private static Map<String, Object> normalized(final Map<String, Object> fields) {
        final Map<String, Object> normalized = new LinkedHashMap<>();
        fields.forEach(
                (key, value) -> normalized.put(key, value instanceof Number number ? number.longValue() : value));
        return normalized;
    }
}
