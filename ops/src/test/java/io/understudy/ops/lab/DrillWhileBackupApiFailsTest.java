package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A planned drill during which the backup's admin API fails: the API is cut on the bridge 40 ms after the drill
 * request, so the primary loses the backup somewhere between reading its status and hearing the takeover's answer
 * (where exactly depends on timing, as in a real failure). Whatever the drill's outcome, the VIP never has two
 * holders, the outcome matches who serves, and no client gets a wrong reply.
 */
@Tag("lab")
@Timeout(300)
class DrillWhileBackupApiFailsTest
{
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldNeverHaveTwoHoldersWhenTheBackupsApiFailsMidDrill() throws Exception
    {
        Lab.startDemoService();
        final String[] answer = new String[1];

        final SafetyDrill.Outcome outcome = SafetyDrill.run(Lab.DEMO_SERVICE_PORT, "line", () ->
        {
            final CompletableFuture<String> drill = CompletableFuture.supplyAsync(() -> Lab.requestWithToken(
                Lab.CLIENT, "POST", "http://198.18.0.2:8080/drills/failover", Lab.drillTokenFile()));
            Thread.sleep(40);
            System.out.println("safety: " + Lab.apiBlock(Lab.BACKUP).stdout().strip());
            answer[0] = drill.get();
            System.out.println("safety: drill while the backup's API failed: " + answer[0]);
            System.out.println("safety: " + Lab.resume().stdout().strip());
        });

        SafetyDrill.assertNeverTwoHolders(outcome);
        SafetyDrill.assertNoWrongReply(outcome.load());
        final String holder = SafetyDrill.soleHolder();
        if (answer[0].startsWith("200 "))
        {
            final String result = new ObjectMapper().readTree(answer[0].substring(4)).path("outcome").asText();
            assertThat(holder).as("the VIP holder after a drill with outcome %s", result)
                .isEqualTo("ok".equals(result) ? Lab.BACKUP : Lab.PRIMARY);
        }
        else
        {
            assertThat(answer[0]).as("a refused drill").startsWith("409 ");
            assertThat(holder).isEqualTo(Lab.PRIMARY);
        }
        assertThat(Lab.api(holder, "/status").path("state").asText()).isEqualTo("PRIMARY");
        LoadReport.assertEveryReplyRight(outcome.load(), SafetyDrill.CONNECTIONS, SafetyDrill.DURATION_S);
    }
}
