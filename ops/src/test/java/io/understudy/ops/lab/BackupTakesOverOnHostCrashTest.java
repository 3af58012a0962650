package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary host vanishes (link down, every process frozen: no FIN, no RST ever leaves it) while 20 clients use
 * the demo service through the VIP: every connection continues on the backup, every reply right.
 */
@Tag("lab")
@Timeout(300)
class BackupTakesOverOnHostCrashTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenPrimaryHostCrashes() throws Exception {
        Lab.startDemoService();

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "line", "host-crash");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("notRestored").size()).isZero();
        FailoverDrill.assertNewPrimaryNeverWaitedForTheOldLogger(Lab.BACKUP);
        assertThat(failover.path("claim").asText())
                .as("the lab's claim command is ip addr add: done by netlink")
                .startsWith("by netlink in ");
        // The frozen host still has the VIP configured, but is off the LAN: both show as holders until heal.
        assertThat(Lab.vipHolder()).contains(Lab.BACKUP);

        // The crashed host comes back: as the backup, never claiming the VIP; then it takes the service back.
        Lab.expectOk(Lab.lab(java.time.Duration.ofSeconds(120), "heal"));
        assertThat(Lab.api(Lab.PRIMARY, "/status").get("role").asText()).isEqualTo("BACKUP");
        assertThat(Lab.vipHolder()).isEqualTo(Lab.BACKUP);

        final JsonNode back = FailoverDrill.run(SERVICE_PORT, "line", "host-crash");

        LoadReport.assertEveryReplyRight(back, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        FailoverDrill.assertTookOverEveryConnection(Lab.PRIMARY);
        assertThat(Lab.vipHolder()).contains(Lab.PRIMARY);
    }
}
