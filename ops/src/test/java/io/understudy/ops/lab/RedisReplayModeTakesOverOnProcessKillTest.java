package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * redis-server under Understudy in cold standby ({@code --mode replay}), INCR on per-connection keys, and the
 * primary's node process is killed with its redis (kill -9, app too): the backup's redis, idle until then, is given
 * the logged reads at takeover and every RESP connection continues on it with every INCR the primary acknowledged.
 */
@Tag("lab")
@Timeout(300)
class RedisReplayModeTakesOverOnProcessKillTest {
    private static final int SERVICE_PORT = Lab.REDIS_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryRedisConnectionAndReplyWhenPrimaryNodeAndAppAreKilledInReplayMode() throws Exception {
        Lab.startRedis("--mode", "replay");

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "resp", "process-kill", "--with-app");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = FailoverDrill.assertBackupTookOverEveryConnection();
        assertThat(failover.path("mode").asText())
                .as("takeover mode in %s", failover)
                .isEqualTo("replay");
    }
}
