package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fencing device is down ({@code --fence fail}) when the primary host crashes: the backup does not take over (it
 * cannot know the primary is off the LAN), raises an alarm in /status and the metrics, and the VIP never has two
 * holders. It retries a few times (a fencing device back up lets the next try through), each refused alike.
 */
@Tag("lab")
@Timeout(300)
class FenceFailureMeansNoTakeoverTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldNotTakeOverAndRaiseAnAlarmWhenTheFenceFails() throws Exception {
        Lab.startDemoService(Lab.FENCE_FAIL);
        try (VipHolders holders = VipHolders.watch()) {
            System.out.println("safety: "
                    + Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "host-crash"))
                            .stdout()
                            .strip());
            final JsonNode backup = SafetyDrill.awaitStatusField(Lab.BACKUP, "alarms", Duration.ofSeconds(20));
            Thread.sleep(2000); // and it stays so
            final JsonNode after = Lab.api(Lab.BACKUP, "/status");
            System.out.println("safety: backup " + after);
            assertThat(backup.path("alarms").get(0).asText())
                    .contains("the fence failed")
                    .contains("--fence fail");
            // It tries again (up to its retry limit): the fence may come back. Between tries it is BACKUP, during
            // one TAKING_OVER (running the fence), never PRIMARY.
            assertThat(after.path("state").asText()).isIn("BACKUP", "TAKING_OVER");
            assertThat(after.path("holdsServiceAddress").asBoolean()).isFalse();
            assertThat(after.path("lastFailover").isNull()).isTrue();
            final String metrics = Lab.expectOk(Lab.exec(
                            Lab.BACKUP, Duration.ofSeconds(20), "curl", "-sS", "http://198.18.0.3:8080/metrics"))
                    .stdout();
            assertThat(metrics)
                    .containsPattern("(?m)^understudy_fence_failures_total [1-9]")
                    .containsPattern("(?m)^understudy_alarms [1-9]");
            assertThat(holders.overlaps())
                    .as("times both held the VIP: %s", holders.timeline())
                    .isEmpty();
        }
    }
}
