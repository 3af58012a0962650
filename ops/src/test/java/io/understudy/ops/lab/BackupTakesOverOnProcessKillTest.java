package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary's node process is killed (kill -9) on a live host: its kernel would FIN or RST every client, the crash guard drops those and the runner releases the VIP, while 20 clients use
 * the demo service through the VIP: every connection continues on the backup, every reply right.
 */
@Tag("lab")
@Timeout(300)
class BackupTakesOverOnProcessKillTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenPrimaryNodeIsKilled() throws Exception {
        Lab.startDemoService();

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "line", "process-kill");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("notRestored").size()).isZero();
        FailoverDrill.assertNewPrimaryNeverWaitedForTheOldLogger(Lab.BACKUP);
        // The dead node's sockets went with it: none is left to retransmit stale data for the VIP (a tap would take
        // such a segment for a connection it never saw open).
        assertThat(Lab.expectOk(Lab.exec(Lab.PRIMARY, Duration.ofSeconds(10), "ss", "-Htn", "src", Lab.VIP))
                        .stdout()
                        .strip())
                .as("TCP sockets of the VIP left on the killed node's host")
                .isEmpty();
    }
}
