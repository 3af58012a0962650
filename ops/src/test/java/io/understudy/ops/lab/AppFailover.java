package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * What a user relies on after the primary's app crashed or hung: the backup serves every connection, its failover
 * report names the app's failure, and the old primary restarted its app and came back as the backup.
 */
final class AppFailover {
    private AppFailover() {}

    /**
     * The whole drill: 20 clients through the VIP, the primary's app broken by {@code ops/lab fail FAIL} a few seconds
     * in; every reply right and no reset, the backup's report naming the app's failure ({@code kind}, "crashed" or
     * "hung", and {@code detail}), the old primary back as the backup with its app restarted.
     */
    static void assertHandedOver(
            final int servicePort, final String protocol, final String fail, final String kind, final String detail)
            throws Exception {
        awaitAppPid(Lab.PRIMARY);

        final JsonNode report = FailoverDrill.run(servicePort, protocol, fail);

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = assertBackupTookOverForApp(kind);
        assertThat(failover.get("trigger").asText()).contains(detail);
        assertOldPrimaryCameBackAsBackup(kind);
        System.out.println("app failover (" + fail + ", " + protocol + "): stall max " + report.get("max_stall_ms")
                + " ms; backup's report " + failover);
    }

    /** The backup took every connection over and its report says the app {@code kind} ("crashed" or "hung"). */
    static JsonNode assertBackupTookOverForApp(final String kind) {
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("trigger").asText())
                .as("the failover's trigger")
                .contains("app " + kind);
        return failover;
    }

    /** The old primary handed over, restarted its app (a live process, found again) and runs as the backup. */
    static JsonNode assertOldPrimaryCameBackAsBackup(final String kind) throws InterruptedException {
        JsonNode status = Lab.api(Lab.PRIMARY, "/status");
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"BACKUP".equals(status.get("role").asText())
                || !status.path("appHealth").path("alive").asBoolean()
                || status.path("lastAppFailure").isNull()) {
            assertThat(System.nanoTime())
                    .as("old primary back as backup with its app: %s", status)
                    .isLessThan(deadlineNs);
            Thread.sleep(200);
            status = Lab.api(Lab.PRIMARY, "/status");
        }
        System.out.println("app failover: old primary status " + status);
        final JsonNode report = status.get("lastAppFailure");
        assertThat(report.get("kind").asText()).isEqualTo(kind);
        assertThat(report.get("outcome").asText()).as("%s", report).isEqualTo("handed over");
        assertThat(report.get("restart").asText()).as("%s", report).startsWith("restarted");
        assertThat(status.get("appHealth").get("failed").isNull())
                .as("the restarted app is healthy: %s", status)
                .isTrue();
        return report;
    }

    /** Waits until the host's node says its app is healthy (process found and its check passing). */
    static long awaitAppPid(final String host) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode app = Lab.api(host, "/status").get("appHealth");
        while (app.get("pid").asLong() <= 0
                || !app.get("alive").asBoolean()
                || app.get("failuresInRow").asInt() > 0) {
            assertThat(System.nanoTime())
                    .as("%s's app watched and healthy: %s", host, app)
                    .isLessThan(deadlineNs);
            Thread.sleep(100);
            app = Lab.api(host, "/status").get("appHealth");
        }
        return app.get("pid").asLong();
    }
}
