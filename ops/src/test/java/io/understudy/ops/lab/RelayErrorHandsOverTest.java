package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary's relay thread dies (fault injection: the error an exhausted direct memory throws) while its heartbeat
 * and listener would live on: the node exits instead, its runner releases the VIP, and the backup takes every
 * connection over with no client error.
 */
@Tag("lab")
@Timeout(300)
class RelayErrorHandsOverTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionWhenThePrimarysRelayThreadDies() throws Exception {
        Lab.startDemoService();
        assertHandedOver(Lab.DEMO_SERVICE_PORT, "line");
    }

    /**
     * 20 clients through the VIP, the primary's relay thread killed a few seconds in (ops/lab fail relay-error): every
     * reply right, the backup took every connection over, the primary's node exited (or was fenced first).
     */
    static void assertHandedOver(final int servicePort, final String protocol) throws Exception {
        final JsonNode report = FailoverDrill.run(servicePort, protocol, "relay-error");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        FailoverDrill.assertBackupTookOverEveryConnection();
        final String primaryLog =
                Lab.lab(Duration.ofSeconds(20), "logs", Lab.PRIMARY).stdout();
        assertThat(primaryLog).contains("relay thread died");
        // The runner says the node exited with 70 and released the VIP, unless the backup's fence (the lab's
        // STONITH, which kills every process on the host) got there first: then the VIP went with the fence.
        if (!primaryLog.contains("runner: node exited (status 70), VIP released")) {
            assertThat(Lab.status().path("fence").path("host").asText())
                    .as("no runner line, so fenced: %s", primaryLog)
                    .isEqualTo(Lab.PRIMARY);
        }
        System.out.println("relay error (" + protocol + "): stall max " + report.get("max_stall_ms") + " ms");
    }
}
