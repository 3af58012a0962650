package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator's memcached protocol against a loopback server that speaks memcached's text protocol (set and
 * incr on a map of its own) and misbehaves in one precise way each.
 */
@Timeout(30)
final class MemcachedLoadRunTest {
    /** Long enough for several requests per connection even on a loaded 2-core machine. */
    private static final long REPLY_TIMEOUT_MS = 10_000;
    /** The key of connection 0 (the key prefix is "memcached-"). */
    private static final String FIRST_KEY = "memcached-0";

    @Test
    void shouldReportEveryConnectionOkWhenServerIncrementsFromTheSetZero() throws Exception {
        // A value left by an earlier run: the connection's set replaces it, so its first reply is still 1.
        final Map<String, Long> values = new ConcurrentHashMap<>(Map.of(FIRST_KEY, 41L));
        try (TestServer server = TestServer.memcachedServer(values)) {
            final LoadReport report = run(server, 3);

            LoadRunTest.assertFaults(report, 0, 0, 0, 0, 0);
            assertThat(report.connectionsOk()).isEqualTo(3);
            assertThat(report.replies()).isGreaterThan(6);
            assertThat(report.exitCode()).isZero();
            assertThat(values.get(FIRST_KEY) + values.get("memcached-1") + values.get("memcached-2"))
                    .as("every incr the server applied was answered and checked")
                    .isEqualTo(report.replies());
            assertThat(report.toJson()).endsWith(",\"failed_local_ports\":[],\"protocol\":\"memcached\"}");
        }
    }

    @Test
    void shouldReportOkWhenEveryReplyArrivesInPieces() throws Exception {
        // "STORED\r\n" as "S", "TORED\r", "\n"; "12\r\n" as "1", "2\r", "\n": the line end itself is split too.
        try (TestServer server = TestServer.memcachedServer(
                new ConcurrentHashMap<>(),
                (request, reply) -> List.of(reply.substring(0, 1), reply.substring(1, reply.length() - 1), "\n"))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 0, 0, 0);
            assertThat(report.replies()).as("each reply takes two pauses").isGreaterThan(3);
            assertThat(report.connectionsOk()).isEqualTo(1);
        }
    }

    @Test
    void shouldCountOneSkipWhenServerAppliesOneIncrTwice() throws Exception {
        final Map<String, Long> values = new ConcurrentHashMap<>();
        try (TestServer server = TestServer.memcachedServer(values, (request, reply) -> {
            if (request == 4) {
                values.merge(FIRST_KEY, 1L, Long::sum);
            }
            return List.of(reply);
        })) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 1, 0, 0, 0, 0);
            assertThat(report.replies()).as("went on after the skip").isGreaterThan(4);
        }
    }

    @Test
    void shouldCountOneRepeatWhenServerLosesOneIncr() throws Exception {
        final Map<String, Long> values = new ConcurrentHashMap<>();
        try (TestServer server = TestServer.memcachedServer(values, (request, reply) -> {
            if (request == 4) {
                values.merge(FIRST_KEY, -1L, Long::sum);
            }
            return List.of(reply);
        })) {
            LoadRunTest.assertFaults(run(server, 1), 0, 1, 0, 0, 0);
        }
    }

    @Test
    void shouldCountOneCorruptedAndGoOnWhenOneReplyHasAWrongByte() throws Exception {
        try (TestServer server = TestServer.memcachedServer(
                new ConcurrentHashMap<>(),
                (request, reply) -> List.of(request == 5 ? reply.replace("\r\n", "x\r\n") : reply))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 1, 0, 0);
            assertThat(report.replies()).as("went on after reply 4").isGreaterThan(4);
            assertThat(report.problems())
                    .singleElement()
                    .asString()
                    .contains("corrupted=1", "first bad reply: '4x\\r'")
                    .doesNotContain("stopped");
        }
    }

    @Test
    void shouldCountEveryNotFoundAsErrorAndNameItWhenServerLosesTheKey() throws Exception {
        // The key vanishes after the third incr (evicted, or a replica that never had it): every incr after it fails.
        final Map<String, Long> values = new ConcurrentHashMap<>();
        try (TestServer server = TestServer.memcachedServer(values, (request, reply) -> {
            if (request == 4) {
                values.clear();
            }
            return List.of(reply);
        })) {
            final LoadReport report = run(server, 1);

            assertThat(report.replies()).isGreaterThan(4);
            LoadRunTest.assertFaults(report, 0, 0, 0, report.replies() - 3, 0);
            assertThat(report.connectionsOk()).isZero();
            assertThat(report.problems())
                    .singleElement()
                    .asString()
                    .contains("first bad reply: 'NOT_FOUND'")
                    .doesNotContain("stopped");
        }
    }

    @Test
    void shouldCountErrorAndStopWhenServerDoesNotStoreTheKey() throws Exception {
        try (TestServer server = TestServer.memcachedServer(
                new ConcurrentHashMap<>(),
                (request, reply) -> List.of(request == 1 ? "SERVER_ERROR out of memory storing object\r\n" : reply))) {
            final LoadReport report = run(server, 2);

            LoadRunTest.assertFaults(report, 0, 0, 0, 2, 0);
            assertThat(report.replies()).as("no incr after a failed set").isZero();
            assertThat(report.exitCode()).isEqualTo(1);
            assertThat(report.problems())
                    .hasSize(2)
                    .allSatisfy(problem -> assertThat(problem)
                            .contains(
                                    "stopped: java.net.ProtocolException: memcached did not set key memcached-",
                                    "'SERVER_ERROR out of memory storing object\\r', expected 'STORED\\r'"));
        }
    }

    private static LoadReport run(final TestServer server, final int connections) throws InterruptedException {
        return LoadRun.run(LoadRunTest.config(server.port(), connections, Protocol.MEMCACHED, REPLY_TIMEOUT_MS));
    }
}
