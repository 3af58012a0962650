package io.understudy.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import io.understudy.admin.UnderstudyApplication;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code understudy drill} against a stand-in for a node's admin API (a JDK HTTP server on loopback answering as the
 * drill contract says): what it sends, what it prints and the exit code of every way a drill can end.
 */
class DrillCommandTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final String OK_REPORT = "{\"id\":\"1700000000000\",\"mode\":\"planned\",\"from\":\"primary\","
            + "\"to\":\"backup\",\"startedAt\":\"2026-01-01T00:00:00Z\",\"finishedAt\":\"2026-01-01T00:00:01.2Z\","
            + "\"outcome\":\"ok\",\"error\":null,\"failover\":{\"at\":\"2026-01-01T00:00:01Z\",\"trigger\":\"drill\","
            + "\"detectionMs\":0,\"takeoverMs\":82,\"restoreMs\":32,\"restored\":20,\"notRestored\":{},\"divergences\":0,"
            + "\"mode\":\"hot\"}}";
    private static final String FAILED_REPORT = "{\"id\":\"1700000000001\",\"mode\":\"crash\",\"from\":\"primary\","
            + "\"to\":\"backup\",\"startedAt\":\"2026-01-01T00:00:00Z\",\"finishedAt\":\"2026-01-01T00:00:03Z\","
            + "\"outcome\":\"failed\",\"error\":\"2 connections were not restored\",\"failover\":{\"detectionMs\":506,"
            + "\"takeoverMs\":88,\"restoreMs\":35,\"restored\":18,\"notRestored\":{"
            + "\"198.18.0.1:40000\":\"half closed when the primary died\","
            + "\"198.18.0.1:40002\":\"picked up mid-stream\"},\"mode\":\"hot\"}}";

    private final StandIn node = new StandIn();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicInteger exitCode = new AtomicInteger(-1);
    private Map<String, String> environment = Map.of();

    @TempDir
    Path directory;

    @BeforeEach
    void startNode() throws IOException {
        node.start();
    }

    @AfterEach
    void stopNode() {
        node.stop();
    }

    @Test
    void shouldPostAPlannedDrillWithTheTokenAndExitZeroWhenItsOutcomeIsOk() {
        node.answer(200, OK_REPORT);

        final Optional<Throwable> error = drill("--node", node.url(), "--token-file", tokenFile());

        assertThat(error).isEmpty();
        assertThat(exitCode.get()).as("no exit call: a normal return is 0").isEqualTo(-1);
        assertThat(node.lastRequest).isEqualTo("POST /drills/failover?mode=planned Bearer " + TOKEN);
        assertThat(stdout())
                .contains(
                        "drill 1700000000000 (planned): primary -> backup, outcome ok",
                        "takeover 82 ms (detection 0 ms, sockets restored in 32 ms), hot mode",
                        "restored 20 connection(s)",
                        "not restored 0");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void shouldListWhatWasNotRestoredAndExitOneWhenTheDrillFailed() {
        node.answer(200, FAILED_REPORT);

        drill("--node", node.url(), "--token-file", tokenFile(), "--mode", "crash");

        assertThat(node.lastRequest).isEqualTo("POST /drills/failover?mode=crash Bearer " + TOKEN);
        assertThat(exitCode.get()).isEqualTo(1);
        assertThat(stdout())
                .contains(
                        "outcome failed",
                        "error: 2 connections were not restored",
                        "restored 18 connection(s)",
                        "not restored 2:",
                        "198.18.0.1:40000: half closed when the primary died",
                        "198.18.0.1:40002: picked up mid-stream");
    }

    @Test
    void shouldPrintTheReportAsItCameWithJson() {
        node.answer(200, OK_REPORT);

        drill("--node", node.url(), "--token-file", tokenFile(), "--json");

        assertThat(stdout()).isEqualTo(OK_REPORT + System.lineSeparator());
        assertThat(exitCode.get()).isEqualTo(-1);
    }

    @Test
    void shouldTakeTheTokenFromTheEnvironmentWhenNotGiven() {
        node.answer(200, OK_REPORT);
        environment = Map.of(DrillCommand.TOKEN_VARIABLE, TOKEN);

        drill("--node", node.url() + "/");

        assertThat(node.lastRequest).isEqualTo("POST /drills/failover?mode=planned Bearer " + TOKEN);
    }

    @Test
    void shouldPrintTheNodesMessageAndExitThreeWhenTheTokenIsRefused() {
        node.answer(401, "{\"code\":401,\"message\":\"missing or wrong token (Authorization: Bearer ...)\"}");

        environment = Map.of(DrillCommand.TOKEN_VARIABLE, "wrong");

        drill("--node", node.url());

        assertThat(exitCode.get()).isEqualTo(3);
        assertThat(stderr()).contains("answered 401: missing or wrong token (Authorization: Bearer ...)");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void shouldNameThePrimaryAndExitThreeWhenTheNodeIsNotThePrimary() {
        node.answer(409, "{\"code\":409,\"message\":\"this node is the backup; the primary is backup-b\"}");

        drill("--node", node.url(), "--token-file", tokenFile(), "--json");

        assertThat(exitCode.get()).isEqualTo(3);
        assertThat(stderr()).contains("answered 409: this node is the backup; the primary is backup-b");
        assertThat(stdout()).as("--json passes the node's answer on").contains("\"code\":409");
    }

    @Test
    void shouldExitThreeWhenTheNodeAnswersWithoutAReport() {
        node.answer(200, "<html>a proxy</html>");

        drill("--node", node.url(), "--token-file", tokenFile());

        assertThat(exitCode.get()).isEqualTo(3);
        assertThat(stderr()).contains("answered 200 but not with JSON: <html>a proxy</html>");
    }

    @Test
    void shouldNameTheUrlAndTheCauseAndExitThreeWhenTheNodeCannotBeReached() throws IOException {
        // Held by a socket that does not listen: refused, and never the connect's own port (a closed port in the
        // ephemeral range can be, and the connect then meets itself).
        try (java.net.Socket holder = new java.net.Socket()) {
            holder.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            final int closedPort = holder.getLocalPort();

            drill("--node", "http://127.0.0.1:" + closedPort + "/", "--token-file", tokenFile());

            assertThat(exitCode.get()).isEqualTo(3);
            assertThat(stderr())
                    .contains("drill: cannot reach http://127.0.0.1:" + closedPort
                            + "/drills/failover?mode=planned: could not connect (refused, or no route");
        }
    }

    @Test
    void shouldGiveUpAfterTheTimeoutAndPointAtLastWhenTheNodeDoesNotAnswer() {
        node.answerAfter(2500, 200, OK_REPORT);

        drill("--node", node.url(), "--token-file", tokenFile(), "--timeout-s", "1");

        assertThat(exitCode.get()).isEqualTo(3);
        assertThat(stderr())
                .contains(
                        "no answer from " + node.url() + "/drills/failover?mode=planned within 1 s",
                        "ops/understudy drill --last --node " + node.url());
    }

    @Test
    void shouldPrintTheLastDrillWithoutAToken() {
        node.answer(200, FAILED_REPORT);

        drill("--node", node.url(), "--last");

        assertThat(node.lastRequest).isEqualTo("GET /drills/last (no token)");
        assertThat(stdout()).contains("drill 1700000000001 (crash): primary -> backup, outcome failed");
        assertThat(exitCode.get()).as("--last exits as the drill it shows").isEqualTo(1);
    }

    @Test
    void shouldExitThreeWhenNoDrillHasRun() {
        node.answer(404, "{\"code\":404,\"message\":\"no drill has run on this node\"}");

        drill("--node", node.url(), "--last", "--token-file", tokenFile());

        assertThat(node.lastRequest).isEqualTo("GET /drills/last Bearer " + TOKEN);
        assertThat(exitCode.get()).isEqualTo(3);
        assertThat(stderr()).contains("answered 404: no drill has run on this node");
    }

    @Test
    void shouldRefuseBadArgumentsAsUsageErrorsWithoutCallingTheNode() {
        assertUsageError("drill: no token: give --token-file FILE or set UNDERSTUDY_DRILL_TOKEN", "--node", node.url());
        assertUsageError(
                "drill: --mode must be planned or crash, got 'kill'",
                "--node",
                node.url(),
                "--token-file",
                tokenFile(),
                "--mode",
                "kill");
        assertUsageError(
                "drill: --node must start with http:// or https://",
                "--node",
                "ftp://198.18.0.2/",
                "--token-file",
                tokenFile());
        assertUsageError(
                "drill: --node must start with http:// or https://",
                "--node",
                "198.18.0.2:8080",
                "--token-file",
                tokenFile());
        assertUsageError("drill: --node has no host", "--node", "http:///drills", "--token-file", tokenFile());
        assertUsageError(
                "drill: --node must be the node's API URL", "--node", "http://a b/", "--token-file", tokenFile());
        assertUsageError(
                "drill: --node is the API's base URL, without '?' or '#'",
                "--node",
                node.url() + "/drills/failover?mode=crash",
                "--token-file",
                tokenFile());
        assertUsageError(
                "drill: --timeout-s must be 1-3600, got 0",
                "--node",
                node.url(),
                "--token-file",
                tokenFile(),
                "--timeout-s",
                "0");
        assertUsageError(
                "drill: --mode goes with a drill, not with --last", "--node", node.url(), "--last", "--mode", "crash");
        assertUsageError(
                "drill: --cacert goes with an https:// node; got " + node.url(),
                "--node",
                node.url(),
                "--token-file",
                tokenFile(),
                "--cacert",
                tokenFile());
        assertUsageError(
                "drill: --cacert: cannot read " + directory.resolve("none.pem"),
                "--node",
                "https://127.0.0.1:1/",
                "--token-file",
                tokenFile(),
                "--cacert",
                directory.resolve("none.pem").toString());
        assertUsageError(
                "drill: --cacert: " + Path.of(tokenFile()) + " is not a PEM certificate",
                "--node",
                "https://127.0.0.1:1/",
                "--token-file",
                tokenFile(),
                "--cacert",
                tokenFile());
        assertThat(node.requests.get()).as("requests the node got").isZero();

        out.reset();
        err.reset();
        assertThat(drill("--token-file", tokenFile())).containsInstanceOf(ArgumentParserException.class);
        assertThat(stderr()).contains("--node");
    }

    @Test
    void shouldRefuseATokenOnTheCommandLineWithoutEchoingIt() {
        for (final String[] args : new String[][] {{"--token", TOKEN}, {"--token=" + TOKEN}}) {
            assertUsageError(
                    "drill: there is no --token: ps shows command lines to everyone; put the token in a "
                            + "file only you can read (--token-file FILE) or in $UNDERSTUDY_DRILL_TOKEN",
                    withNode(args));
            assertThat(stderr()).doesNotContain(TOKEN);
        }
        assertThat(node.requests.get()).as("requests the node got").isZero();
    }

    @Test
    void shouldPreferTheTokenFileToTheEnvironment() {
        node.answer(200, OK_REPORT);
        environment = Map.of(DrillCommand.TOKEN_VARIABLE, "from-the-environment");

        drill("--node", node.url(), "--token-file", tokenFile());

        assertThat(node.lastRequest).isEqualTo("POST /drills/failover?mode=planned Bearer " + TOKEN);
    }

    @Test
    void shouldRefuseATokenFileThatIsMissingEmptyOrReadableByOthers() throws IOException {
        final Path missing = directory.resolve("missing.token");
        final Path empty = writeToken("empty.token", "\n", "rw-------");
        final Path open = writeToken("open.token", TOKEN + "\n", "rw-r--r--");
        final Path spaced = writeToken("spaced.token", "two words\n", "rw-------");

        assertUsageError(
                "drill: --token-file: token file " + missing + " does not exist",
                withNode("--token-file", missing.toString()));
        assertUsageError(
                "drill: --token-file: token file " + empty + " is empty", withNode("--token-file", empty.toString()));
        assertUsageError(
                "drill: --token-file: token file " + open + " may be read or written by anyone "
                        + "(rw-r--r--): chmod o-rw " + open,
                withNode("--token-file", open.toString()));
        assertUsageError(
                "drill: --token-file: token file " + spaced + " must hold one token of printable ASCII",
                withNode("--token-file", spaced.toString()));
        assertThat(stderr()).doesNotContain("two words");
        assertThat(node.requests.get()).as("requests the node got").isZero();
    }

    @Test
    void shouldTellTheExitCodesAndTheTokensVariableInItsHelp() {
        assertThat(drill("--help")).isEmpty();

        assertThat(stdout().replaceAll("\\s+", " "))
                .doesNotContain("--token T")
                .contains(
                        "--node URL",
                        "--token-file FILE",
                        "--mode planned|crash",
                        "--timeout-s S",
                        "--json",
                        "--last",
                        "$UNDERSTUDY_DRILL_TOKEN",
                        "Exit codes: 0 the drill's outcome is ok; 1 the drill ran and failed",
                        "2 bad arguments",
                        "3 no report: the node refused");
    }

    private String[] withNode(final String... args) {
        final String[] line = new String[args.length + 2];
        line[0] = "--node";
        line[1] = node.url();
        System.arraycopy(args, 0, line, 2, args.length);
        return line;
    }

    /** The token file most tests use: TOKEN, owner-only, as an operator keeps it. */
    private String tokenFile() {
        try {
            final Path file = directory.resolve("drill.token");
            return (Files.exists(file) ? file : writeToken("drill.token", TOKEN + "\n", "rw-------")).toString();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private Path writeToken(final String name, final String content, final String permissions) throws IOException {
        final Path file = directory.resolve(name);
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private void assertUsageError(final String message, final String... args) {
        out.reset();
        err.reset();
        assertThat(drill(args)).as("%s", String.join(" ", args)).containsInstanceOf(UsageException.class);
        assertThat(stderr()).as("%s", String.join(" ", args)).startsWith(message);
        assertThat(exitCode.get())
                .as("UsageException exits 2 through the application")
                .isEqualTo(-1);
    }

    /** Runs {@code understudy drill ARGS} through Dropwizard's CLI; the error it ended with, if any. */
    private Optional<Throwable> drill(final String... args) {
        final DrillCommand command = new DrillCommand(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                environment::get,
                exitCode::set);
        final Bootstrap<?> bootstrap = new Bootstrap<>(new UnderstudyApplication());
        bootstrap.addCommand(command);
        final String[] line = new String[args.length + 1];
        line[0] = "drill";
        System.arraycopy(args, 0, line, 1, args.length);
        return new Cli(new JarLocation(DrillCommandTest.class), bootstrap, out, err).run(line);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The node's admin API as far as the drill contract goes: one canned answer, and the last request it got. */
    private static final class StandIn {
        private final AtomicInteger requests = new AtomicInteger();
        /** Off the server's dispatcher thread, so a slow answer does not hold up stop(). */
        private final ExecutorService executor = Executors.newCachedThreadPool();

        private HttpServer server;
        private volatile int status = 500;
        private volatile String body = "";
        private volatile long delayMs;
        private volatile String lastRequest;

        void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.setExecutor(executor);
            server.start();
        }

        void stop() {
            server.stop(0);
            executor.shutdownNow();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void answer(final int status, final String body) {
            answerAfter(0, status, body);
        }

        void answerAfter(final long delayMs, final int status, final String body) {
            this.delayMs = delayMs;
            this.status = status;
            this.body = body;
        }

        private void handle(final HttpExchange exchange) throws IOException {
            requests.incrementAndGet();
            final String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            lastRequest = exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + (authorization == null ? "(no token)" : authorization);
            try {
                Thread.sleep(delayMs);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            final byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            try (var stream = exchange.getResponseBody()) {
                stream.write(answer);
            } catch (final IOException clientGone) {
                // the command gave up waiting (the timeout test)
            }
        }
    }
}
