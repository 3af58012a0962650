package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The heartbeat is cut (as on a loaded host whose beats came late, or a partition of the heartbeat alone), the
 * service still answers, and then the primary's app hangs. Both nodes see it: the backup's probe fails and its tap
 * goes quiet, and the primary's own app check fails. The primary is alive (its API answers), so the backup gives that
 * check its time and the primary hands over without being fenced: every connection and reply kept, and the failover
 * names the hung app. Fencing a live node whose app merely hung would kill the node that can restart the app.
 */
@Tag("lab")
@Timeout(300)
class AppHangWhileHeartbeatCutHandsOverTest {
    private static final int LOAD_S = 16;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldLetTheLivePrimaryHandItsHungAppOverRatherThanBeFenced() throws Exception {
        Lab.startDemoService();
        final long appPid = AppFailover.awaitAppPid(Lab.PRIMARY);
        final CompletableFuture<JsonNode> load = CompletableFuture.supplyAsync(() -> LoadReport.run(
                Lab.DEMO_SERVICE_PORT,
                "line",
                FailoverDrill.CONNECTIONS,
                FailoverDrill.UNSATURATED_INTERVAL_MS,
                LOAD_S,
                true));
        Thread.sleep(2_000);

        System.out.println("drill: "
                + Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "partition"))
                        .stdout()
                        .strip());
        awaitBackupLostHeartbeat();
        Thread.sleep(500);
        assertThat(Lab.api(Lab.BACKUP, "/status").get("role").asText())
                .as("heartbeat lost but the service answers: the backup waits")
                .isEqualTo("BACKUP");
        Lab.expectOk(Lab.exec(
                Lab.PRIMARY,
                Duration.ofSeconds(10),
                "bash",
                "-c",
                "kill -STOP -- -$(cut -d' ' -f5 /proc/" + appPid + "/stat)"));
        System.out.println("drill: SIGSTOP to the primary's app (process group of pid " + appPid + ")");

        final JsonNode report = load.get();
        System.out.println("drill: loadgen " + report);
        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, LOAD_S);
        final JsonNode failover = AppFailover.assertBackupTookOverForApp("hung");
        assertThat(failover.get("trigger").asText()).contains("handed over by " + Lab.PRIMARY);
        assertThat(failover.get("fence").asText())
                .as("the live primary handed over: %s", failover)
                .startsWith("not fenced");
    }

    private static void awaitBackupLostHeartbeat() throws InterruptedException {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode status = Lab.api(Lab.BACKUP, "/status");
        while (status.get("members").size() > 1) {
            assertThat(System.nanoTime())
                    .as("the backup lost the heartbeat: %s", status)
                    .isLessThan(deadlineNs);
            Thread.sleep(100);
            status = Lab.api(Lab.BACKUP, "/status");
        }
    }
}
