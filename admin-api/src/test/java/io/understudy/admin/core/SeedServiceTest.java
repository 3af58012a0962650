package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The seed socket over a real Unix domain socket, as the app's understudy-shim (ops/shim) asks it. */
@Timeout(30)
final class SeedServiceTest {
    private static final byte[] KEY =
            HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    private static final long PRIMARY_ID = 117_724_630_668_804_107L;

    @TempDir
    Path dir;

    private final Map<Integer, Long> ids = new ConcurrentHashMap<>();

    @Test
    void shouldAnswerTheHmacOfThePrimarysConnectionIdUnderThePairsKey() throws Exception {
        ids.put(40_001, PRIMARY_ID);
        try (SeedService service = start(2_000)) {
            final String answer = ask("SEED 40001\n");

            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            final byte[] expected = mac.doFinal(
                    java.nio.ByteBuffer.allocate(8).putLong(PRIMARY_ID).array());
            assertThat(answer).isEqualTo("SEED " + HexFormat.of().formatHex(expected) + "\n");
            assertThat(service.answered()).isEqualTo(1);
        }
    }

    @Test
    void shouldGiveTwoConnectionsDifferentSeedsAndBothNodesTheSameOne() throws Exception {
        ids.put(40_001, PRIMARY_ID);
        ids.put(40_002, PRIMARY_ID + 1);
        try (SeedService service = start(2_000)) {
            final String first = ask("SEED 40001\n");
            final String second = ask("SEED 40002\n");

            assertThat(first).isNotEqualTo(second);
            // The other node answers for its own app-side port of the same connection: only the id counts.
            assertThat(first).isEqualTo("SEED " + HexFormat.of().formatHex(SeedService.seed(KEY, PRIMARY_ID)) + "\n");
        }
    }

    @Test
    void shouldWaitForAConnectionWhoseIdTheReadLogHasNotBroughtYet() throws Exception {
        ids.put(40_001, SeedService.ConnectionIds.PENDING);
        try (SeedService service = start(5_000)) {
            final Thread later = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (final InterruptedException ex) {
                    return;
                }
                ids.put(40_001, PRIMARY_ID);
            });
            later.start();

            assertThat(ask("SEED 40001\n")).startsWith("SEED ").hasSize(5 + 64 + 1);
            later.join();
        }
    }

    @Test
    void shouldAnswerNoneWhenTheReadLogNeverBringsTheIdWithinTheWait() throws Exception {
        ids.put(40_002, SeedService.ConnectionIds.PENDING);
        try (SeedService service = start(200)) {
            assertThat(ask("SEED 40002\n"))
                    .isEqualTo("NONE the connection with app-side port 40002 has no read-log id yet\n");
            assertThat(service.refused()).isEqualTo(1);
        }
    }

    @Test
    void shouldAnswerNoneSoonForAConnectionItDoesNotHave() throws Exception {
        try (SeedService service = start(10_000)) {
            final long startNs = System.nanoTime();

            assertThat(ask("SEED 40009\n")).isEqualTo("NONE no logged connection with app-side port 40009 here\n");
            assertThat((System.nanoTime() - startNs) / 1_000_000)
                    .as("ms: an app waits for this answer, single-threaded")
                    .isLessThan(5_000);
            assertThat(service.refused()).isEqualTo(1);
        }
    }

    @Test
    void shouldAnswerNoneToBadRequests() throws Exception {
        try (SeedService service = start(100)) {
            for (final String bad : new String[] {"SEED 0\n", "SEED 65536\n", "SEED x\n", "HELLO\n", "SEED -1\n"}) {
                assertThat(ask(bad)).as(bad).isEqualTo("NONE bad request: expected 'SEED <port 1-65535>'\n");
            }
        }
    }

    @Test
    void shouldServeOthersWhileAClientSendsNothing() throws Exception {
        ids.put(40_001, PRIMARY_ID);
        try (SeedService service = start(2_000);
                SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("seed.sock")))) {
            assertThat(ask("SEED 40001\n")).startsWith("SEED ");
        }
    }

    @Test
    void shouldReplaceAStaleSocketButNeverAnotherFile() throws Exception {
        // A socket file left by a node that died without closing its service.
        final Path stale = dir.resolve("seed.sock");
        try (SocketChannel leftover = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            leftover.bind(UnixDomainSocketAddress.of(stale));
            try (SeedService second = start(100)) {
                assertThat(ask("SEED 1\n")).startsWith("NONE");
            }
        }
        final Path file = dir.resolve("seed.sock");
        Files.writeString(file, "not a socket");
        assertThatThrownBy(() -> start(100))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exists and is not a socket");
        assertThat(Files.readString(file)).isEqualTo("not a socket");
    }

    private SeedService start(final long waitMs) throws IOException {
        return SeedService.start("test", dir.resolve("seed.sock"), KEY, port -> ids.getOrDefault(port, 0L), waitMs);
    }

    private String ask(final String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("seed.sock")))) {
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            final ByteBuffer answer = ByteBuffer.allocate(256);
            while (channel.read(answer) >= 0) {
                if (!answer.hasRemaining()) {
                    break;
                }
            }
            return new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
        }
    }
}
