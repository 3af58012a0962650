package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL with SCRAM-SHA-256 password authentication, run on both hosts with the understudy-shim (ops/shim): each
 * backend's random draws, the SCRAM server nonce among them, derive from a per-connection seed its node hands out
 * (replica.seedSocket), so the replica's server sends the client's nonce the primary's did and accepts the proof the
 * client computed from it. Without the shim every such connection diverged at authentication (README, Apps it
 * protects). 20 clients, a host crash: as {@link PostgresBackupTakesOverOnHostCrashTest}.
 */
@Tag("lab")
@Timeout(300)
class PostgresScramWithShimTakesOverOnHostCrashTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryPasswordAuthenticatedClientWhenPrimaryHostCrashes() throws Exception {
        Lab.startPostgresScramWithShim("--divergence", "same-length");
        Lab.opsJarEnv("PGPASSWORD=" + Lab.POSTGRES_PASSWORD);
        // Without the password the server refuses: the clients below really authenticate.
        final Lab.Result refused = Lab.exec(
                Lab.CLIENT,
                java.time.Duration.ofSeconds(30),
                "psql",
                "-h",
                Lab.VIP,
                "-p",
                String.valueOf(Lab.POSTGRES_SERVICE_PORT),
                "-U",
                "postgres",
                "-w",
                "-Atc",
                "SELECT 1");
        assertThat(refused.exitCode())
                .as("psql without a password: %s", refused)
                .isNotZero();
        assertThat(refused.stderr() + refused.stdout()).contains("password");

        PostgresBackupTakesOverOnHostCrashTest.crashAndCheck();
    }
}
