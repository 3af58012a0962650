package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backup's link is cut for 3 s, then restored, while 20 clients use the demo service. To the backup this looks
 * like a dead primary (heartbeat lost, probe failing, tap quiet), but its own link has no carrier: it knows it is
 * the one cut off, fences nobody and claims nothing. The primary serves throughout; never two holders.
 */
@Tag("lab")
@Timeout(300)
class BackupCutOffTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldNotTakeOverWhenTheBackupItselfIsCutOff() throws Exception {
        Lab.startDemoService(Lab.FENCE_LAB);

        final SafetyDrill.Outcome outcome = SafetyDrill.run(Lab.DEMO_SERVICE_PORT, "line", () -> {
            System.out.println("safety: " + Lab.backupCut().stdout().strip());
            Thread.sleep(3000);
            System.out.println("safety: " + Lab.resume().stdout().strip());
        });

        SafetyDrill.assertNeverTwoHolders(outcome);
        LoadReport.assertEveryReplyRight(outcome.load(), SafetyDrill.CONNECTIONS, SafetyDrill.DURATION_S);
        final JsonNode backup = Lab.api(Lab.BACKUP, "/status");
        assertThat(backup.path("state").asText())
                .as("backup after the cut: %s", backup)
                .isEqualTo("BACKUP");
        assertThat(backup.path("lastFailover").isNull()).isTrue();
        assertThat(Lab.status().path("fence").isNull()).as("nobody was fenced").isTrue();
        assertThat(SafetyDrill.soleHolder()).isEqualTo(Lab.PRIMARY);
    }
}
