package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protection lasts through a planned drill: 20 long-lived clients of the demo service, a planned drill through the
 * API moves them to the backup, and the old primary's app follows every moved connection as its hot replica (the
 * old primary shows all of them protected within a second). Then the new primary's host crashes: every connection
 * continues on the old primary, every reply right, none reset.
 */
@Tag("lab")
@Timeout(300)
class PlannedDrillThenCrashTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;
    private static final int DURATION_S = 30;
    private static final long DRILL_AFTER_MS = 4000;
    private static final long CRASH_AFTER_DRILL_MS = 5000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepLongLivedConnectionsThroughAPlannedDrillAndThenACrashOfTheNewPrimary() throws Exception {
        Lab.startDemoService();
        final Path token = Lab.drillTokenFile();
        final long loadStartMs = System.currentTimeMillis();
        final CompletableFuture<JsonNode> load = CompletableFuture.supplyAsync(
                () -> LoadReport.run(SERVICE_PORT, "line", FailoverDrill.CONNECTIONS, DURATION_S));
        Thread.sleep(DRILL_AFTER_MS);

        final String answer = Lab.requestWithToken(Lab.CLIENT, "POST", "http://198.18.0.2:8080/drills/failover", token);
        System.out.println("drill: " + answer);
        assertThat(answer).startsWith("200 ");
        final JsonNode drill = JSON.readTree(answer.substring(4));
        assertThat(drill.get("outcome").asText()).as("planned drill %s", drill).isEqualTo("ok");
        assertThat(drill.get("failover").get("restored").asInt()).isGreaterThanOrEqualTo(FailoverDrill.CONNECTIONS);
        assertThat(drill.get("failover").has("handback"))
                .as("client bytes stay out of the drill report")
                .isFalse();
        final long drilledNs = System.nanoTime();

        // Within a second of the drill, the old primary protects every moved connection.
        JsonNode status = Lab.api(Lab.PRIMARY, "/status");
        while (status.get("protectedConnections").asInt() < FailoverDrill.CONNECTIONS
                && System.nanoTime() - drilledNs < 1_000_000_000L) {
            Thread.sleep(100);
            status = Lab.api(Lab.PRIMARY, "/status");
        }
        System.out.println("drill: old primary after the drill " + status);
        assertThat(status.get("role").asText()).isEqualTo("BACKUP");
        assertThat(status.get("protectedConnections").asInt())
                .as("moved connections the old primary protects")
                .isEqualTo(FailoverDrill.CONNECTIONS);
        assertThat(status.get("unprotectedConnections").asInt()).isZero();
        assertThat(Lab.api(Lab.PRIMARY, "/status").toString())
                .as("no client bytes in status")
                .doesNotContain("handback");

        Thread.sleep(Math.max(0, CRASH_AFTER_DRILL_MS - (System.nanoTime() - drilledNs) / 1_000_000));
        final JsonNode before = Lab.api(Lab.PRIMARY, "/status");
        System.out.println("drill: old primary before the crash " + before);
        assertThat(before.get("protectedConnections").asInt())
                .as("still protected before the crash")
                .isEqualTo(FailoverDrill.CONNECTIONS);
        final String crashed = Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "host-crash"))
                .stdout()
                .strip();
        System.out.println("drill: " + crashed);
        final java.util.regex.Matcher at =
                java.util.regex.Pattern.compile(" at ([0-9]+\\.[0-9]+)").matcher(crashed);
        assertThat(at.find())
                .as("ops/lab fail prints when it broke the host: %s", crashed)
                .isTrue();
        assertThat((long) (Double.parseDouble(at.group(1)) * 1000) - loadStartMs)
                .as(
                        "ms into the %d s load when the new primary crashed: it must come while the clients are connected",
                        DURATION_S)
                .isLessThan(DURATION_S * 1000L - 3000);

        final JsonNode report = load.get();
        System.out.println("drill: loadgen " + report);
        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, DURATION_S);
        final JsonNode failover = FailoverDrill.assertTookOverEveryConnection(Lab.PRIMARY);
        assertThat(failover.get("notRestored").size())
                .as("not restored: %s", failover.get("notRestored"))
                .isZero();
    }
}
