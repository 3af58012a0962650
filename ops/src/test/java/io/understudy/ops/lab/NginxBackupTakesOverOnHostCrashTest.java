package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * nginx (one worker, HTTP/1.1 keep-alive) under Understudy with {@code replica.divergence: same-length}, 20
 * keep-alive clients checking every body, and the primary host crashes: every connection continues on the backup's
 * nginx and no body is wrong. The replies' Date header differs between the primary's nginx and the replica's
 * whenever a second turns between them, which in exact mode ended every connection's protection (issue 15); the
 * backup's status shows those differences tolerated before the crash.
 */
@Tag("lab")
@Timeout(300)
class NginxBackupTakesOverOnHostCrashTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryKeepAliveConnectionAndBodyWhenPrimaryHostCrashes() throws Exception {
        Lab.startNginx("--divergence", "same-length");
        final AtomicLong tolerated = new AtomicLong(-1);
        final AtomicLong protectedSeen = new AtomicLong(-1);
        final Thread watch = new Thread(() -> watchBackup(tolerated, protectedSeen), "nginx-test-backup-status");
        watch.setDaemon(true);

        final JsonNode report = FailoverDrill.run(Lab.NGINX_SERVICE_PORT, "http", watch::start, "host-crash");
        watch.interrupt();

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("divergences").asInt())
                .as("divergences in %s", failover)
                .isZero();
        assertThat(protectedSeen.get())
                .as("connections the backup protected before the crash")
                .isGreaterThanOrEqualTo(FailoverDrill.CONNECTIONS);
        assertThat(tolerated.get())
                .as("Date headers that differed and were tolerated before the crash (the "
                        + "backup's /status, tap.toleratedDifferences)")
                .isPositive();
    }

    /**
     * Polls the backup's /status while it is the backup and keeps the highest tolerated differences and protected
     * count seen: a sample taken as the takeover begins, with the role still BACKUP, already counts no replicas.
     */
    private static void watchBackup(final AtomicLong tolerated, final AtomicLong protectedSeen) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                final JsonNode status = Lab.api(Lab.BACKUP, "/status");
                if (!"BACKUP".equals(status.path("role").asText())) {
                    return;
                }
                tolerated.accumulateAndGet(
                        status.path("tap").path("toleratedDifferences").asLong(-1), Math::max);
                protectedSeen.accumulateAndGet(
                        status.path("protectedConnections").asLong(-1), Math::max);
                Thread.sleep(200);
            } catch (final InterruptedException ex) {
                return;
            } catch (final RuntimeException | AssertionError ex) {
                return; // the backup is taking over: what it answered before stands
            }
        }
    }
}
