package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Only the heartbeat is cut, and an operator asks the primary for a drill: the primary refuses (409, the peer is not
 * in its view), nobody takes over, the clients see nothing, and the VIP never has two holders.
 */
@Tag("lab")
@Timeout(300)
class PartitionRefusesDrillTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldRefuseADrillDuringAHeartbeatPartition() throws Exception {
        Lab.startDemoService();
        final String[] answer = new String[1];

        final SafetyDrill.Outcome outcome = SafetyDrill.run(Lab.DEMO_SERVICE_PORT, "line", () -> {
            System.out.println("safety: "
                    + Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "partition"))
                            .stdout()
                            .strip());
            Thread.sleep(2000);
            answer[0] = Lab.requestWithToken(
                    Lab.CLIENT, "POST", "http://198.18.0.2:8080/drills/failover", Lab.drillTokenFile());
            System.out.println("safety: drill during the partition: " + answer[0]);
            Thread.sleep(1000);
            Lab.expectOk(Lab.lab(Duration.ofSeconds(120), "heal"));
        });

        assertThat(answer[0]).startsWith("409 ").contains("not in the heartbeat view");
        SafetyDrill.assertNeverTwoHolders(outcome);
        LoadReport.assertEveryReplyRight(outcome.load(), SafetyDrill.CONNECTIONS, SafetyDrill.DURATION_S);
        assertThat(Lab.api(Lab.PRIMARY, "/status").path("state").asText()).isEqualTo("PRIMARY");
        assertThat(Lab.api(Lab.BACKUP, "/status").path("state").asText()).isEqualTo("BACKUP");
        assertThat(SafetyDrill.soleHolder()).isEqualTo(Lab.PRIMARY);
    }
}
