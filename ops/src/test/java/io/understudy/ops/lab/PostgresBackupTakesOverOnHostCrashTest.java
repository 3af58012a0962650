package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL under Understudy with {@code replica.divergence: same-length}: 20 clients through PostgreSQL's own JDBC
 * driver (loadgen --protocol postgres), each incrementing its own row and checking every value, and the primary host
 * crashes: every connection continues on the backup's PostgreSQL and no value is lost or repeated. Each new
 * connection's BackendKeyData (the backend's pid and a random cancel key) differs between the primary's server and
 * the replica's, never in length; the backup's status shows those differences tolerated before the crash.
 */
@Tag("lab")
@Timeout(300)
class PostgresBackupTakesOverOnHostCrashTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryClientAndValueWhenPrimaryHostCrashes() throws Exception {
        Lab.startPostgres("--divergence", "same-length");

        crashAndCheck();
    }

    /**
     * 20 JDBC clients, a host crash of the primary: every client and value kept, every connection protected before
     * the crash with its BackendKeyData tolerated, and the new primary's rows summing to the replies the clients saw.
     * The lab runs PostgreSQL already; {@link Lab#opsJarEnv} holds the clients' PGPASSWORD when it needs one.
     */
    static void crashAndCheck() throws Exception {
        final BackupStatusWatch watch = new BackupStatusWatch();

        final JsonNode report = FailoverDrill.run(
                Lab.POSTGRES_SERVICE_PORT,
                "postgres",
                FailoverDrill.UNSATURATED_INTERVAL_MS,
                FailoverDrill.DURATION_S,
                watch::start,
                FailoverDrill.Around.NONE,
                "host-crash");
        watch.stop();

        FailoverDrill.assertEveryConnectionKeptAndProtected(report, watch);
        assertThat(watch.tolerated())
                .as("BackendKeyData messages that differed and were tolerated before the crash (the backup's "
                        + "/status, tap.toleratedDifferences)")
                .isGreaterThanOrEqualTo(FailoverDrill.CONNECTIONS);

        // The new primary's database holds every increment the clients saw answered, once: each row's value is its
        // connection's count of replies (the loadgen checked each one was the next), and nothing else wrote.
        final Lab.Result rows = Lab.expectOk(Lab.exec(
                Lab.BACKUP,
                java.time.Duration.ofSeconds(30),
                "env",
                "PGPASSWORD=" + Lab.POSTGRES_PASSWORD,
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(Lab.POSTGRES_APP_PORT),
                "-U",
                "postgres",
                "-Atc",
                "SELECT count(*) || ' ' || sum(v) FROM understudy_counters"));
        assertThat(rows.stdout().trim())
                .as("rows and the sum of their values in the backup's PostgreSQL after the drill")
                .isEqualTo(
                        FailoverDrill.CONNECTIONS + " " + report.get("replies").asLong());
    }
}
