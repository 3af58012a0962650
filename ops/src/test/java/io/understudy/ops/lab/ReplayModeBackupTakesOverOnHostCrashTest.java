package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cold standby ({@code --mode replay}): the backup keeps no hot replica; when the primary host vanishes mid-load it
 * replays the logged reads into its app and continues every connection of the demo service, every reply right. The
 * healed host comes back in the same mode and takes the service back the same way. Under a load the lab keeps up
 * with ({@link FailoverDrill#runUnsaturated}): replay depends on the read log.
 */
@Tag("lab")
@Timeout(300)
class ReplayModeBackupTakesOverOnHostCrashTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenPrimaryHostCrashesInReplayMode() throws Exception {
        Lab.startDemoService("--mode", "replay");

        final JsonNode report = FailoverDrill.runUnsaturated(SERVICE_PORT, "line", "host-crash");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("notRestored").size()).isZero();
        assertThat(failover.path("mode").asText())
                .as("takeover mode in %s", failover)
                .isEqualTo("replay");
        assertThat(Lab.vipHolder()).contains(Lab.BACKUP);

        // heal restarts the crashed host with the start parameters, --mode replay included.
        Lab.expectOk(Lab.lab(Duration.ofSeconds(120), "heal"));
        assertThat(Lab.api(Lab.PRIMARY, "/status").get("role").asText()).isEqualTo("BACKUP");
        assertThat(Lab.vipHolder()).isEqualTo(Lab.BACKUP);

        final JsonNode back = FailoverDrill.runUnsaturated(SERVICE_PORT, "line", "host-crash");

        LoadReport.assertEveryReplyRight(back, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failback = FailoverDrill.assertTookOverEveryConnection(Lab.PRIMARY);
        assertThat(failback.path("mode").asText())
                .as("takeover mode in %s", failback)
                .isEqualTo("replay");
        assertThat(Lab.vipHolder()).contains(Lab.PRIMARY);
    }
}
