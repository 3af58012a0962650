package io.understudy.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code understudy trace} on a recorded fixture whose first frame's TCP checksum was spoilt, as a capture taken on a
 * host with checksum offload has them: tracked and counted by default (as Wireshark does), skipped when asked.
 */
class TraceCommandTest {
    private static final Path FIXTURE = Path.of("../backup-tapper/src/test/resources/fixtures/many-connections.pcap");
    private static final int PORT = 7101;
    /** The first frame's TCP checksum: pcap header 24, record header 16, Ethernet 14, IPv4 20, then offset 16. */
    private static final int FIRST_TCP_CHECKSUM = 24 + 16 + 14 + 20 + 16;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final TraceCommand command = new TraceCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    @Test
    void shouldTrackAndCountAFrameWithAWrongChecksumByDefault() throws Exception {
        final Path spoilt = spoiltCopy();

        run(spoilt, false, false);

        assertThat(stderr())
                .contains("720 frames, 40 connections")
                .contains("1 frames tracked with a wrong checksum")
                .doesNotContain("skipped");
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList())
                .hasSize(40)
                .first()
                .asString()
                .contains("\"handshake_seen\":true");
    }

    @Test
    void shouldSkipItWithVerifyChecksums() throws Exception {
        final Path spoilt = spoiltCopy();

        run(spoilt, true, false);

        assertThat(stderr()).contains("skipped BAD_TCP_CHECKSUM=1").doesNotContain("tracked with a wrong checksum");
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList())
                .as("the first SYN unseen")
                .first()
                .asString()
                .contains("\"handshake_seen\":false");
    }

    @Test
    void shouldRefuseBothChecksumFlagsAtOnce() throws Exception {
        assertThatThrownBy(() -> run(FIXTURE, true, true))
                .isInstanceOf(UsageException.class)
                .hasMessage("trace: --verify-checksums and --ignore-checksums contradict each other");
    }

    private Path spoiltCopy() throws Exception {
        final byte[] capture = Files.readAllBytes(FIXTURE);
        capture[FIRST_TCP_CHECKSUM] ^= 0x5a;
        final Path spoilt = dir.resolve("spoilt.pcap");
        Files.write(spoilt, capture);
        return spoilt;
    }

    private void run(final Path file, final boolean verify, final boolean ignore) throws Exception {
        final Map<String, Object> arguments = new HashMap<>();
        arguments.put("servicePorts", List.of(PORT));
        arguments.put("file", file.toString());
        arguments.put("verifyChecksums", verify);
        arguments.put("ignoreChecksums", ignore);
        command.run(null, new Namespace(arguments));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
