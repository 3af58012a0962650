package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backup's replica is dead (as after an input that kills both copies of the app) when the primary's app crashes:
 * the backup refuses to take over with a dead replica and says why, and the clients see what they would have seen
 * without Understudy (their connections end; none hangs).
 */
@Tag("lab")
@Timeout(300)
class DeadReplicaIsNotTakenOverTest {
    private static final int CONNECTIONS = 5;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldRefuseToTakeOverWithADeadReplicaAndLetTheClosesThrough() throws Exception {
        Lab.startRedis();
        AppFailover.awaitAppPid(Lab.PRIMARY);
        final long replica = AppFailover.awaitAppPid(Lab.BACKUP);
        Lab.expectOk(Lab.exec(Lab.BACKUP, Duration.ofSeconds(10), "kill", "-KILL", String.valueOf(replica)));
        awaitBackupAppFailed();
        final CompletableFuture<Lab.Result> clients = CompletableFuture.supplyAsync(() -> Lab.probe(
                Lab.CLIENT,
                "await-close",
                Lab.VIP,
                String.valueOf(Lab.REDIS_SERVICE_PORT),
                String.valueOf(CONNECTIONS),
                "20"));
        Thread.sleep(2000);

        Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "app-kill"));

        final Lab.Result ends = clients.get(60, TimeUnit.SECONDS);
        System.out.println("dead replica: clients " + ends);
        assertThat(ends.stdout()).as("every connection ends, none hangs").contains("timeout=0 other=0");
        final JsonNode primary = awaitPrimaryReport();
        assertThat(primary.get("role").asText()).isEqualTo("PRIMARY");
        final JsonNode report = primary.get("lastAppFailure");
        assertThat(report.get("outcome").asText()).isEqualTo("not handed over");
        assertThat(report.get("error").asText()).contains("dead replica").contains("signal 9");
        final JsonNode backup = Lab.api(Lab.BACKUP, "/status");
        assertThat(backup.get("role").asText()).isEqualTo("BACKUP");
        assertThat(backup.get("lastFailover").isNull()).isTrue();
    }

    private static void awaitBackupAppFailed() throws InterruptedException {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"crashed"
                .equals(Lab.api(Lab.BACKUP, "/status")
                        .get("appHealth")
                        .path("failed")
                        .asText())) {
            assertThat(System.nanoTime()).as("the backup sees its app crash").isLessThan(deadlineNs);
            Thread.sleep(100);
        }
    }

    private static JsonNode awaitPrimaryReport() throws InterruptedException {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode status = Lab.api(Lab.PRIMARY, "/status");
        while (status.get("lastAppFailure").isNull()) {
            assertThat(System.nanoTime())
                    .as("the primary reports its app failure: %s", status)
                    .isLessThan(deadlineNs);
            Thread.sleep(200);
            status = Lab.api(Lab.PRIMARY, "/status");
        }
        System.out.println("dead replica: primary status " + status);
        return status;
    }
}
