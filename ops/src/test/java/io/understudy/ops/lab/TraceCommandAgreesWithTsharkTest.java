package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.backup.fixtures.FixturePorts;
import io.understudy.backup.fixtures.TsharkOracle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ops/understudy trace}, run as an operator runs it, against Wireshark's dissection of every recorded fixture:
 * one JSON line per connection, every field equal. And its errors: an unreadable file exits with code 2.
 */
@Tag("lab")
@Timeout(120)
class TraceCommandAgreesWithTsharkTest {
    private static final Path FIXTURES = Lab.REPO.resolve("backup-tapper/src/test/resources/fixtures");
    private static final ObjectMapper JSON = new ObjectMapper();

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
    void shouldPrintWhatTsharkSeesWhenTracingFixture(final String fixture) throws Exception {
        final int port = FixturePorts.of(fixture);
        final Lab.Result result = trace(
                "--service-port",
                String.valueOf(port),
                FIXTURES.resolve(fixture + ".pcap").toString());

        assertThat(result.exitCode()).as("%s", result).isZero();
        final List<Map<String, Object>> printed = new ArrayList<>();
        for (final String line : result.stdout().lines().toList()) {
            printed.add(normalized(JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() {})));
        }
        final List<Map<String, Object>> expected = new ArrayList<>();
        TsharkOracle.expected(FIXTURES.resolve(fixture + ".tshark.tsv"), port)
                .forEach(connection -> expected.add(normalized(connection)));
        assertThat(printed).containsExactlyElementsOf(expected);
        assertThat(result.stderr()).contains("trace: ").contains(expected.size() + " connections");
    }

    @Test
    void shouldExitWithTwoAndSayWhyWhenFileIsNotACapture() throws Exception {
        final Path notACapture = java.nio.file.Files.createTempFile("not-a-capture", ".pcap");
        java.nio.file.Files.writeString(notACapture, "this is not a pcap file\n");
        try {
            final Lab.Result garbage = trace("--service-port", "7070", notACapture.toString());
            assertThat(garbage.exitCode()).isEqualTo(2);
            assertThat(garbage.stderr().strip())
                    .startsWith("trace: " + notACapture)
                    .contains("not a pcap");

            final Lab.Result missing = trace("--service-port", "7070", "/nonexistent/capture.pcap");
            assertThat(missing.exitCode()).isEqualTo(2);
            assertThat(missing.stderr().strip()).isEqualTo("trace: /nonexistent/capture.pcap: not a readable file");

            final Lab.Result badPort = trace("--service-port", "70000", notACapture.toString());
            assertThat(badPort.exitCode()).isEqualTo(2);
            assertThat(badPort.stderr()).contains("--service-port must be 1-65535, got 70000");
        } finally {
            java.nio.file.Files.delete(notACapture);
        }
    }

    private static Lab.Result trace(final String... args) {
        final List<String> command =
                new ArrayList<>(List.of(Lab.REPO.resolve("ops/understudy").toString(), "trace"));
        command.addAll(List.of(args));
        return Lab.run(Duration.ofSeconds(60), command);
    }

    private static Map<String, Object> normalized(final Map<String, Object> fields) {
        final Map<String, Object> normalized = new LinkedHashMap<>();
        fields.forEach(
                (key, value) -> normalized.put(key, value instanceof Number number ? number.longValue() : value));
        return normalized;
    }
}
