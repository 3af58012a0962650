package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator's postgres protocol against a real PostgreSQL on loopback, started by the lab's own script
 * (ops/lab.d/postgres-app.sh, which needs root to run the server as the postgres user): without root or PostgreSQL
 * the tests are skipped on a developer machine and fail when CI=true.
 */
@Timeout(120)
final class PostgresLoadRunTest {
    private static final Map<String, String> ENV = Map.of("PGUSER", "postgres");
    private static Path dir;
    private static Process server;
    private static int port;

    @BeforeAll
    static void startPostgres() throws Exception {
        final Path script = Path.of("lab.d/postgres-app.sh").toAbsolutePath();
        final boolean root = "root".equals(System.getProperty("user.name"));
        final boolean installed = Files.isDirectory(Path.of("/usr/lib/postgresql"));
        if (!root || !installed) {
            final String why = !root ? "not root (the server runs as the postgres user)" : "PostgreSQL not installed";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true and PostgreSQL cannot be started: " + why);
            }
            assumeTrue(false, "skipped (set CI=true to make this a failure): " + why);
        }
        dir = Files.createTempDirectory(
                "understudy-pg-test",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        server = new ProcessBuilder(script.toString(), dir.resolve("cluster").toString(), String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile())
                .start();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!ready()) {
            if (!server.isAlive() || System.nanoTime() - deadlineNs > 0) {
                fail("PostgreSQL did not answer on 127.0.0.1:" + port + ": "
                        + Files.readString(dir.resolve("server.log")));
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (server != null) {
            server.destroy(); // SIGTERM: PostgreSQL's smart shutdown, the clients are gone
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void shouldCountEveryIncrementOnceInTheTableItMade() throws Exception {
        final LoadReport report = LoadRun.run(LoadRunTest.config(port, 3, Protocol.POSTGRES, 10_000));

        LoadRunTest.assertFaults(report, 0, 0, 0, 0, 0);
        assertThat(report.connectionsOk()).isEqualTo(3);
        assertThat(report.replies()).isGreaterThan(10);
        // Each row's value is the number of replies its connection checked: none applied twice or lost.
        assertThat(query("SELECT count(*) || ' ' || sum(v) FROM understudy_counters WHERE k LIKE 'postgres-%'"))
                .isEqualTo("3 " + report.replies());
    }

    @Test
    void shouldCountStatementErrorsWithTheirSqlstateAndGoOn() throws Exception {
        final LoadConfig config =
                new LoadConfig("127.0.0.1", port, 1, 5, 3_000, Protocol.POSTGRES, "dropped-", 2_000, 10_000);
        final CompletableFuture<LoadReport> run = LoadRunTest.inBackground(config, null);
        Thread.sleep(1_000);
        execute("DROP TABLE understudy_counters");

        final LoadReport report = run.get(30, TimeUnit.SECONDS);
        execute("CREATE TABLE IF NOT EXISTS understudy_counters (k text PRIMARY KEY, v bigint NOT NULL)");
        assertThat(report.errors()).as("errors in %s", report).isPositive();
        assertThat(report.resets()).isZero();
        // The connection went on after the first error: it stands, and the report names the server's error.
        assertThat(report.connectionsOk()).isZero();
        assertThat(report.toSummary(config)).contains("SQLSTATE 42P01");
    }

    @Test
    void shouldFailToConnectWithTheServersMessageForAnUnknownRole() {
        final LoadConfig config =
                new LoadConfig("127.0.0.1", port, 1, 5, 1_000, Protocol.POSTGRES, "nobody-", 2_000, 10_000);

        assertThatThrownBy(() -> PostgresClient.connect(config, Map.of("PGUSER", "nobody_here")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("SQLSTATE 28000")
                .hasMessageContaining("nobody_here");
    }

    @Test
    void shouldReportTheLocalPortOfEachConnection() throws Exception {
        final LoadConfig config = LoadRunTest.config(port, 1, Protocol.POSTGRES, 10_000);
        try (PostgresClient client = PostgresClient.connect(config, ENV)) {
            assertThat(client.localPort()).isPositive();
            assertThat(query("SELECT count(*) FROM pg_stat_activity WHERE client_port = " + client.localPort()))
                    .isEqualTo("1");
        }
    }

    private static String query(final String sql) throws SQLException, IOException {
        try (Connection connection = open();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static void execute(final String sql) throws SQLException, IOException {
        try (Connection connection = open();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Connection open() throws SQLException {
        final LoadConfig config = LoadRunTest.config(port, 1, Protocol.POSTGRES, 10_000);
        return new org.postgresql.Driver()
                .connect(PostgresClient.url(config, ENV), PostgresClient.properties(config, ENV));
    }

    /** PostgreSQL listens before it serves ("the database system is starting up"): ready once a query answers. */
    private static boolean ready() {
        try {
            return "1".equals(query("SELECT 1"));
        } catch (final SQLException | IOException ex) {
            return false;
        }
    }
}
