package io.understudy.admin.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A primary and a backup in this JVM on loopback (the backup taps lo, so this needs root, as CI has): every check
 * healthy on both; then the peer's loss as each side reports it, and a takeover that fails.
 */
@Timeout(120)
class PairHealthChecksTest {
    private static final Predicate<Map<String, Object>> HEALTHY = entry -> Boolean.TRUE.equals(entry.get("healthy"));
    private static final Predicate<Map<String, Object>> UNHEALTHY = HEALTHY.negate();

    private final TestNode.Ports ports = new TestNode.Ports();
    private TestNode primary;
    private TestNode backup;

    @BeforeEach
    void requireCapture() {
        assumeTrue(TestNode.canCapture(), "the backup's tap needs root (CAP_NET_RAW)");
    }

    @AfterEach
    void stop() throws Exception {
        ports.close();
    }

    @Test
    void shouldReportEveryCheckHealthyOnBothNodesOfAPair() throws Exception {
        startPair("true");

        assertThat(primary.awaitHealth("logger", HEALTHY)).containsEntry("healthy", true);
        assertThat(message(primary, "logger")).startsWith("logger connected (async commit)");
        assertThat(message(primary, "role"))
                .startsWith("primary, relaying")
                .contains(":" + ports.service + " -> app port");
        assertThat(message(primary, "heartbeat")).startsWith("peer heard");
        assertThat(message(primary, "tap")).contains("the primary relays");

        assertThat(backup.awaitHealth("logger", HEALTHY)).containsEntry("healthy", true);
        assertThat(message(backup, "logger")).startsWith("logger: ").endsWith("the tap follows the read log");
        assertThat(message(backup, "role")).startsWith("backup, not relaying");
        assertThat(message(backup, "heartbeat")).startsWith("peer heard");
        assertThat(message(backup, "tap")).startsWith("capturing on lo:");

        for (final TestNode node : new TestNode[] {primary, backup}) {
            assertThat(node.health().values()).allMatch(HEALTHY);
            assertThat(node.admin("/healthcheck").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldReportThePeerAndTheLoggerGoneOnThePrimaryWhenTheBackupStops() throws Exception {
        startPair("true");
        primary.awaitHealth("logger", HEALTHY);

        backup.close();

        final Map<String, Object> heartbeat = primary.awaitHealth("heartbeat", UNHEALTHY);
        final Map<String, Object> logger = primary.awaitHealth("logger", UNHEALTHY);
        assertThat(heartbeat).containsEntry("healthy", false);
        assertThat((String) heartbeat.get("message"))
                .startsWith("peer last heard")
                .contains("view [node-a]");
        assertThat(logger).containsEntry("healthy", false);
        assertThat((String) logger.get("message")).startsWith("logger unreachable");
        assertThat(primary.health("role")).containsEntry("healthy", true);
    }

    @Test
    void shouldReportAFailedTakeoverOnTheRoleCheckOfTheBackup() throws Exception {
        startPair("false");
        backup.awaitHealth("heartbeat", HEALTHY);

        primary.close();

        final Map<String, Object> role = backup.awaitHealth("role", UNHEALTHY);
        assertThat(role).containsEntry("healthy", false);
        assertThat((String) role.get("message"))
                .startsWith("takeover failed at ")
                .contains("claiming the service address failed: [false] exited 1");
        final Map<String, Object> heartbeat = backup.health("heartbeat");
        assertThat(heartbeat).containsEntry("healthy", false);
        assertThat((String) heartbeat.get("message")).startsWith("peer last heard");
    }

    /** Primary then backup; the backup's claim command is {@code claim} ("false" makes a takeover fail). */
    private void startPair(final String claim) throws Exception {
        primary = ports.nodeA("primary").start();
        backup = ports.nodeB("backup", "node.takeover.claimCommand", claim).start();
    }

    private static String message(final TestNode node, final String check) {
        return (String) node.health(check).get("message");
    }
}
