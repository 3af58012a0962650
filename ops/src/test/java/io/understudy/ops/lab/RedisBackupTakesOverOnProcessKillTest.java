package io.understudy.ops.lab;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * redis-server under Understudy, INCR on per-connection keys, and the primary's node process is killed with its redis (kill -9, app too): every RESP connection
 * continues on the backup's redis, whose replica has seen every INCR the primary acknowledged.
 */
@Tag("lab")
@Timeout(300)
class RedisBackupTakesOverOnProcessKillTest {
    private static final int SERVICE_PORT = Lab.REDIS_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryRedisConnectionAndReplyWhenPrimaryNodeAndAppAreKilled() throws Exception {
        Lab.startRedis();

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "resp", "process-kill", "--with-app");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        FailoverDrill.assertBackupTookOverEveryConnection();
    }
}
