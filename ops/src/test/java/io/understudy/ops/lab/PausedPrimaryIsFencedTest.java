package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary is paused like a frozen VM (bridge port down, every process SIGSTOPped) for 6 s, then resumed, while 20
 * RESP clients use redis-server through the VIP. The backup fences it (the lab's fence: port down, processes killed)
 * before it claims the VIP, so there is never a second holder, and every client goes on with the backup's redis.
 */
@Tag("lab")
@Timeout(300)
class PausedPrimaryIsFencedTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldFenceThePausedPrimaryAndNeverHaveTwoHolders() throws Exception {
        Lab.startRedis(Lab.FENCE_LAB);

        final SafetyDrill.Outcome outcome = SafetyDrill.run(Lab.REDIS_SERVICE_PORT, "resp", () -> {
            System.out.println("safety: " + Lab.pause().stdout().strip());
            Thread.sleep(SafetyDrill.PAUSE_MS);
            System.out.println("safety: " + Lab.resume().stdout().strip());
        });

        SafetyDrill.assertNeverTwoHolders(outcome);
        LoadReport.assertEveryReplyRight(outcome.load(), SafetyDrill.CONNECTIONS, SafetyDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.path("fence").asText()).as("fence in %s", failover).startsWith("fenced in");
        assertThat(failover.path("epoch").asLong())
                .as("the new primary's epoch")
                .isPositive();
        assertThat(Lab.status().path("fence").path("host").asText()).isEqualTo(Lab.PRIMARY);
        assertThat(SafetyDrill.soleHolder()).isEqualTo(Lab.BACKUP);
    }
}
