package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cold standby ({@code --mode replay}) and the primary's node process killed (kill -9) on a live host, under 20 demo
 * service clients: the crash guard keeps its kernel quiet, and the backup replays the logged reads into its idle app
 * and continues every connection, every reply right.
 */
@Tag("lab")
@Timeout(300)
class ReplayModeBackupTakesOverOnProcessKillTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenPrimaryNodeIsKilledInReplayMode() throws Exception {
        Lab.startDemoService("--mode", "replay");

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "line", "process-kill");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("notRestored").size()).isZero();
        assertThat(failover.path("mode").asText())
                .as("takeover mode in %s", failover)
                .isEqualTo("replay");
    }
}
