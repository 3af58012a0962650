package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The backup's tap misses 5 % of the service frames ({@code ops/lab tap-loss 5}) while its hot replica follows the
 * demo service; then the primary host crashes: the backup fills what its tap missed and continues every connection,
 * every reply right.
 */
@Tag("lab")
@Timeout(300)
class LossyTapHotModeTest
{
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;
    private static final int TAP_LOSS_PERCENT = 5;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenTheTapWasLossyAndPrimaryHostCrashes() throws Exception
    {
        Lab.startDemoService();
        Lab.tapLoss(TAP_LOSS_PERCENT);

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "line", "host-crash");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("notRestored").size()).isZero();
        assertThat(failover.path("mode").asText()).as("takeover mode in %s", failover).isEqualTo("hot");
        final long dropped = Lab.tapLossDropped();
        System.out.println("drill: tap loss dropped " + dropped + " service frames on their way to the backup's tap");
        assertThat(dropped).as("frames the tap loss dropped (the tap really was lossy)").isPositive();
    }
}
