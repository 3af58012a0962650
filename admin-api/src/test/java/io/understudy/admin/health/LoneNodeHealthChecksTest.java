package io.understudy.admin.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The health checks of a primary started alone in this JVM: its peer never comes, so the heartbeat and the read log
 * are unhealthy and say why; with the read log off, the logger check is healthy and says that.
 */
@Timeout(90)
class LoneNodeHealthChecksTest {
    private final TestNode.Ports ports = new TestNode.Ports();

    @AfterEach
    void stop() throws Exception {
        ports.close();
    }

    @Test
    void shouldBeUnhealthyWhenTheExpectedPeerIsNeverHeardAndTheLoggerIsUnreachable() throws Exception {
        final TestNode node = ports.nodeA("primary").start();

        final Map<String, Object> heartbeat = node.health("heartbeat");
        final Map<String, Object> logger = node.awaitHealth("logger", entry -> entry.get("message") != null);

        assertThat(heartbeat).containsEntry("healthy", false);
        assertThat((String) heartbeat.get("message"))
                .isEqualTo("the peer (127.0.0.1:" + ports.membershipB + ") has not been heard since start");
        assertThat(logger).containsEntry("healthy", false);
        assertThat((String) logger.get("message")).startsWith("logger unreachable");
        assertThat(node.health("role")).containsEntry("healthy", true);
        assertThat(node.admin("/healthcheck").statusCode()).isEqualTo(500);
    }

    @Test
    void shouldReportTheReadLogOffAsHealthyAndThePrimaryNotTapping() throws Exception {
        final TestNode node =
                ports.nodeA("primary", "node.log.enabled", "false").start();

        final Map<String, Map<String, Object>> health = node.health();

        assertThat(health.get("logger"))
                .containsEntry("healthy", true)
                .containsEntry("message", "read log disabled (node.log.enabled: false)");
        assertThat(health.get("tap"))
                .containsEntry("healthy", true)
                .containsEntry("message", "not tapping: the primary relays, the backup taps");
        assertThat(health.get("role")).containsEntry("healthy", true);
        assertThat((String) health.get("role").get("message"))
                .startsWith("primary, relaying")
                .endsWith("; view [node-a]");
    }
}
