package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Output commit ({@code --commit sync}): the primary holds the demo service's replies until the logger has acked the
 * reads before them; 20 clients still get every reply right, and when the primary host crashes every connection
 * continues on the backup.
 */
@Tag("lab")
@Timeout(300)
class SyncCommitTakesOverOnHostCrashTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenPrimaryHostCrashesWithSyncCommit() throws Exception {
        Lab.startDemoService("--commit", "sync");

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "line", "host-crash");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("notRestored").size()).isZero();
    }
}
