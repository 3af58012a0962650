package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary's last replies are lost on their way to the clients (the client host drops the service's data
 * segments for 150 ms before the host crash, until right after it; the backup's tap still sees them): only the
 * backup's restored sockets can deliver them, and they send them again as they leave repair mode. Every client gets
 * every reply once, in order: a client that had a reply drops the second copy in its kernel.
 */
@Tag("lab")
@Timeout(300)
class LostRepliesResentAfterHostCrashTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;
    private static final String TABLE = "understudy_test_loss";
    private static final long LOSS_MS = 150;
    private static final Pattern RESENT =
            Pattern.compile("(\\d+) bytes of the primary's the clients had not acknowledged sent again at once, on "
                    + "(\\d+) connections");

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldDeliverTheRepliesTheClientsLostOnceEachFromTheRestoredSockets() throws Exception {
        Lab.startDemoService();
        final BackupStatusWatch watch = new BackupStatusWatch();
        final JsonNode report;
        try {
            report = FailoverDrill.run(
                    SERVICE_PORT,
                    "line",
                    FailoverDrill.UNSATURATED_INTERVAL_MS,
                    FailoverDrill.DURATION_S,
                    watch::start,
                    new FailoverDrill.Around(
                            LostRepliesResentAfterHostCrashTest::loseReplies,
                            LostRepliesResentAfterHostCrashTest::endLossNow),
                    "host-crash");
        } finally {
            watch.stop();
        }

        FailoverDrill.assertEveryConnectionKeptAndProtected(report, watch);
        final Matcher resent = RESENT.matcher(
                Lab.lab(Duration.ofSeconds(20), "logs", Lab.BACKUP).stdout());
        assertThat(resent.find())
                .as("the takeover's log line on what it sent again")
                .isTrue();
        System.out.println("drill: " + resent.group());
        assertThat(Long.parseLong(resent.group(2)))
                .as("connections whose lost replies the restored socket sent again")
                .isPositive();
    }

    /** From now on the client host drops every segment with data from the service; then waits {@link #LOSS_MS}. */
    private static void loseReplies() {
        Lab.expectOk(Lab.exec(
                Lab.CLIENT,
                Duration.ofSeconds(20),
                "sh",
                "-c",
                "nft add table inet " + TABLE + " && nft add chain inet " + TABLE
                        + " in '{ type filter hook input priority 0; }' && nft add rule inet " + TABLE + " in ip saddr "
                        + Lab.VIP + " tcp sport " + SERVICE_PORT + " ip length '>' 52 drop"));
        try {
            Thread.sleep(LOSS_MS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The loss ends within milliseconds of the crash (ip netns exec, not ops/lab exec), before the backup restores. */
    private static void endLossNow() {
        Lab.expectOk(Lab.run(
                Duration.ofSeconds(20),
                List.of(
                        "ip",
                        "netns",
                        "exec",
                        Lab.PREFIX + "-" + Lab.CLIENT,
                        "nft",
                        "delete",
                        "table",
                        "inet",
                        TABLE)));
    }
}
