package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backup's tap misses 2 % of the service frames ({@code ops/lab tap-loss 2}, from a second into the load, for
 * {@value #LOSSY_MS} ms) while its hot replica follows the demo service; then the primary host crashes: the replica
 * stayed right because the backup filled what its tap missed from the read log (client bytes) and the replica (the
 * primary's output), and the backup continues every connection, every reply right. The loss starts once the clients
 * are connected: a handshake the tap half missed is completed from the log (ReadLogFeedTest), one it missed whole
 * cannot be. It ends before the crash: one loss the design cannot recover, at any rate, is a request the primary's
 * kernel acked, the tap missed and the log had not received when the primary died (README, Limitations). With the
 * tap lossy at the crash, 2 of about 8 CI runs lost one connection that way ("client bytes ... were acked by the
 * primary but are in neither the tap nor the read log"), so the test keeps it out of what it asserts.
 */
@Tag("lab")
@Timeout(300)
class LossyTapHotModeTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;
    private static final int TAP_LOSS_PERCENT = 2;
    private static final int LOAD_S = 45;
    /** How long the tap is lossy before the loss ends, a little before the crash. */
    private static final long LOSSY_MS = 3000;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenTheTapWasLossyAndPrimaryHostCrashes() throws Exception {
        Lab.startDemoService();

        // 45 s of load: ops/lab tap-loss itself took up to 7 s on the loaded lab host, and in a CI run the loss on,
        // 3 s of it and the loss off took 23.5 s together; the crash must come while the load runs, after that.
        final long[] dropped = new long[1];
        final JsonNode report = FailoverDrill.run(
                SERVICE_PORT,
                "line",
                FailoverDrill.UNSATURATED_INTERVAL_MS,
                LOAD_S,
                () -> {
                    Lab.tapLoss(TAP_LOSS_PERCENT);
                    try {
                        Thread.sleep(LOSSY_MS);
                    } catch (final InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(ex);
                    }
                    dropped[0] = Lab.tapLossDropped();
                    Lab.tapLossOff();
                },
                FailoverDrill.Around.NONE,
                "host-crash");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, LOAD_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.get("notRestored").size()).isZero();
        assertThat(failover.path("mode").asText())
                .as("takeover mode in %s", failover)
                .isEqualTo("hot");
        System.out.println(
                "drill: tap loss dropped " + dropped[0] + " service frames on their way to the backup's " + "tap");
        assertThat(dropped[0])
                .as("frames the tap loss dropped (the tap really was lossy)")
                .isPositive();
    }
}
