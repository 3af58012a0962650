package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * redis-server under Understudy in cold standby ({@code --mode replay}), INCR on per-connection keys, and the
 * primary host crashes (gone from the LAN, every process frozen): the backup's redis, idle until then, is given
 * the logged reads at takeover and every RESP connection continues on it with every INCR the primary acknowledged.
 * Under a load the lab keeps up with ({@link FailoverDrill#runUnsaturated}): replay depends on the read log.
 */
@Tag("lab")
@Timeout(300)
class RedisReplayModeTakesOverOnHostCrashTest {
    private static final int SERVICE_PORT = Lab.REDIS_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryRedisConnectionAndReplyWhenPrimaryHostCrashesInReplayMode() throws Exception {
        Lab.startRedis("--mode", "replay");

        final JsonNode report = FailoverDrill.runUnsaturated(SERVICE_PORT, "resp", "host-crash");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.path("mode").asText())
                .as("takeover mode in %s", failover)
                .isEqualTo("replay");
    }
}
