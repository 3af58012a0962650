package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The load generator's core against small loopback servers that misbehave in one precise way each. */
@Timeout(30)
final class LoadRunTest {
    /** Long enough for several requests per connection even on a loaded 2-core machine. */
    private static final long DURATION_MS = 1_000;

    @Test
    void shouldCountOneSkipPerConnectionWhenServerSkipsOneValue() throws Exception {
        try (TestServer server = TestServer.lineServer(n -> n + " " + (n >= 5 ? n + 1 : n))) {
            final LoadReport report = LoadRun.run(config(server.port(), 2, Protocol.LINE, 5_000));

            assertFaults(report, 2, 0, 0, 0, 0);
            assertThat(report.replies()).isGreaterThan(10);
            assertThat(report.connectionsOk()).isZero();
            assertThat(report.exitCode()).isEqualTo(1);
        }
    }

    @Test
    void shouldCountOneSkipWhenServerSkipsOneRequestCounter() throws Exception {
        try (TestServer server = TestServer.lineServer(n -> (n >= 5 ? n + 1 : n) + " " + n)) {
            assertFaults(LoadRun.run(config(server.port(), 1, Protocol.LINE, 5_000)), 1, 0, 0, 0, 0);
        }
    }

    @Test
    void shouldCountOneRepeatWhenServerRepeatsOneValue() throws Exception {
        try (TestServer server = TestServer.lineServer(n -> n + " " + (n >= 5 ? n - 1 : n))) {
            assertFaults(LoadRun.run(config(server.port(), 1, Protocol.LINE, 5_000)), 0, 1, 0, 0, 0);
        }
    }

    @Test
    void shouldCountOneCorruptedWhenOneReplyHasWrongBytes() throws Exception {
        try (TestServer server = TestServer.lineServer(n -> n == 5 ? "5 x5" : n + " " + n)) {
            assertFaults(LoadRun.run(config(server.port(), 1, Protocol.LINE, 5_000)), 0, 0, 1, 0, 0);
        }
    }

    @Test
    void shouldCountErrorAndGoOnWhenServerRepliesErr() throws Exception {
        // Request 3 fails, so it changes no value: request 4 answers what request 3 would have.
        try (TestServer server = TestServer.lineServer(n -> n == 3 ? "3 ERR busy" : n + " " + (n < 3 ? n : n - 1))) {
            final LoadReport report = LoadRun.run(config(server.port(), 1, Protocol.LINE, 5_000));

            assertFaults(report, 0, 0, 0, 1, 0);
            assertThat(report.replies()).isGreaterThan(10);
        }
    }

    @Test
    void shouldCountResetAndStopWhenServerResetsConnection() throws Exception {
        try (TestServer server = TestServer.lineServer(n -> n > 10 ? TestServer.ABORT : n + " " + n)) {
            final LoadReport report = LoadRun.run(config(server.port(), 1, Protocol.LINE, 5_000));

            assertFaults(report, 0, 0, 0, 0, 1);
            assertThat(report.replies()).isEqualTo(10);
            assertThat(report.problems()).singleElement().asString().contains("Connection reset");
        }
    }

    @Test
    void shouldCountErrorAndStopWhenServerClosesConnection() throws Exception {
        try (TestServer server = TestServer.lineServer(n -> n > 4 ? TestServer.CLOSE : n + " " + n)) {
            final LoadReport report = LoadRun.run(config(server.port(), 1, Protocol.LINE, 5_000));

            assertFaults(report, 0, 0, 0, 1, 0);
            assertThat(report.replies()).isEqualTo(4);
        }
    }

    @Test
    void shouldCountErrorAndStopWhenReplyTimesOut() throws Exception {
        try (TestServer server = TestServer.lineServer(n -> n == 3 ? TestServer.SILENCE : n + " " + n)) {
            final LoadReport report = LoadRun.run(config(server.port(), 1, Protocol.LINE, 200));

            assertFaults(report, 0, 0, 0, 1, 0);
            assertThat(report.replies()).isEqualTo(2);
            assertThat(report.problems()).singleElement().asString().contains("SocketTimeoutException");
        }
    }

    @Test
    void shouldCountErrorPerConnectionWhenConnectionIsRefused() throws Exception {
        // Held by a socket that does not listen: refused, and never a connect's own port (a closed port in the
        // ephemeral range can be, and the connect then meets itself).
        try (java.net.Socket holder = new java.net.Socket()) {
            holder.bind(new java.net.InetSocketAddress(0));
            final LoadReport report = LoadRun.run(config(holder.getLocalPort(), 3, Protocol.LINE, 5_000));

            assertFaults(report, 0, 0, 0, 3, 0);
            assertThat(report.replies()).isZero();
            assertThat(report.connectionsOk()).isZero();
        }
    }

    @Test
    void shouldReportEveryConnectionOkWhenRespServerIncrementsFromExistingValues() throws Exception {
        final Map<String, Long> values = new ConcurrentHashMap<>(Map.of("resp-0", 41L));
        try (TestServer server = TestServer.respIncrServer(values)) {
            final LoadReport report = LoadRun.run(config(server.port(), 3, Protocol.RESP, 5_000));

            assertFaults(report, 0, 0, 0, 0, 0);
            assertThat(report.connectionsOk()).isEqualTo(3);
            assertThat(report.exitCode()).isZero();
            assertThat(values.get("resp-0") - 41 + values.get("resp-1") + values.get("resp-2"))
                    .as("every INCR the server applied was answered and checked")
                    .isEqualTo(report.replies());
        }
    }

    @Test
    void shouldCheckEveryReplyOfHundredsOfConnectionsOnNoMoreThreadsThanCores() throws Exception {
        final Map<String, Long> values = new ConcurrentHashMap<>();
        final int connections = 300;
        try (TestServer server = TestServer.respIncrServer(values)) {
            final LoadConfig config = new LoadConfig(
                    "127.0.0.1", server.port(), connections, 20, 1_500, Protocol.RESP, "many-", 5_000, 5_000);
            final CompletableFuture<LoadReport> run = inBackground(config, null);
            Thread.sleep(700);
            final long loadThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().startsWith("loadgen-"))
                    .count();
            final LoadReport report = run.get(20, TimeUnit.SECONDS);

            assertFaults(report, 0, 0, 0, 0, 0);
            assertThat(report.connectionsOk()).isEqualTo(connections);
            assertThat(values).hasSize(connections);
            assertThat(values.values().stream().mapToLong(Long::longValue).sum())
                    .as("every INCR the server applied was answered and checked")
                    .isEqualTo(report.replies());
            assertThat(loadThreads)
                    .as("connections share selector loops, one per core")
                    .isBetween(1L, (long) Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void shouldCountErrorWhenRespServerRepliesWithError() throws Exception {
        try (TestServer server = TestServer.respServer(key -> "-WRONGTYPE not a number")) {
            final LoadReport report = LoadRun.run(config(server.port(), 1, Protocol.RESP, 5_000));

            assertThat(report.errors()).isEqualTo(report.replies()).isPositive();
            assertThat(report.connectionsOk()).isZero();
        }
    }

    @Test
    void shouldEndEarlyWithEveryReplyCheckedOnceTheStopFileExists(@TempDir final Path dir) throws Exception {
        final Path stop = dir.resolve("stop");
        try (TestServer server = TestServer.lineServer(n -> n + " " + n)) {
            final LoadConfig config =
                    new LoadConfig("127.0.0.1", server.port(), 2, 1, 60_000, Protocol.LINE, "stop-", 2_000, 5_000);
            final CompletableFuture<LoadReport> run = inBackground(config, stop);
            Thread.sleep(500);
            assertThat(run).as("a 60 s run before the stop file").isNotDone();
            Files.createFile(stop);
            final LoadReport report = run.get(10, TimeUnit.SECONDS);

            assertFaults(report, 0, 0, 0, 0, 0);
            assertThat(report.connectionsOk()).isEqualTo(2);
            assertThat(report.replies()).isPositive();
            assertThat(report.exitCode()).isZero();
        }
    }

    /** Starts a run on another thread, ended by {@code stopFile} when not null (the PostgreSQL tests use it too). */
    static CompletableFuture<LoadReport> inBackground(final LoadConfig config, final Path stopFile) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return LoadRun.run(config, null, stopFile);
            } catch (final InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    /** A short run's config on 127.0.0.1 (the tests of the other protocols use it too). */
    static LoadConfig config(
            final int port, final int connections, final Protocol protocol, final long replyTimeoutMs) {
        return new LoadConfig(
                "127.0.0.1",
                port,
                connections,
                1,
                DURATION_MS,
                protocol,
                protocol.wireName() + "-",
                2_000,
                replyTimeoutMs);
    }

    /** The report's faults, in this order (the tests of the other protocols use it too). */
    static void assertFaults(
            final LoadReport report,
            final long skipped,
            final long repeated,
            final long corrupted,
            final long errors,
            final long resets) {
        assertThat(new long[] {report.skipped(), report.repeated(), report.corrupted(), report.errors(), report.resets()
                })
                .as("skipped, repeated, corrupted, errors, resets of %s", report)
                .containsExactly(skipped, repeated, corrupted, errors, resets);
    }
}
