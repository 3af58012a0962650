package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Only the heartbeat is cut (the service traffic flows): the backup loses its peer but the primary still answers
 * and the tap still hears it, so nobody takes over, and the clients see nothing at all.
 */
@Tag("lab")
@Timeout(300)
class PartitionDoesNotTakeOverTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepServingFromThePrimaryWhenOnlyHeartbeatsAreCut() throws Exception {
        Lab.startDemoService();

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "line", "partition");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode backup = Lab.api(Lab.BACKUP, "/status");
        assertThat(backup.get("role").asText()).as("backup after a partition").isEqualTo("BACKUP");
        assertThat(backup.get("members").size())
                .as("backup's view during the partition: %s", backup)
                .isEqualTo(1);
        assertThat(backup.get("lastFailover").isNull()).isTrue();
        final JsonNode primary = Lab.api(Lab.PRIMARY, "/status");
        assertThat(primary.get("role").asText()).isEqualTo("PRIMARY");
        assertThat(primary.get("relay").get("connectionsOpen").asInt()).isGreaterThanOrEqualTo(0);
        final JsonNode lab = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Lab.expectOk(Lab.lab(java.time.Duration.ofSeconds(30), "status", "--json"))
                        .stdout());
        assertThat(lab.get("vip_holder").asText())
                .as("the VIP stays on the primary")
                .isEqualTo(Lab.PRIMARY);
    }
}
