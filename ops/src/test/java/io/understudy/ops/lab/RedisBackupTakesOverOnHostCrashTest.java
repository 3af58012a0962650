package io.understudy.ops.lab;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * redis-server under Understudy, INCR on per-connection keys, and the primary host crashes: every RESP connection
 * continues on the backup's redis, whose replica has seen every INCR the primary acknowledged.
 */
@Tag("lab")
@Timeout(300)
class RedisBackupTakesOverOnHostCrashTest {
    private static final int SERVICE_PORT = Lab.REDIS_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryRedisConnectionAndReplyWhenPrimaryHostCrashes() throws Exception {
        Lab.startRedis();

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "resp", "host-crash");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        FailoverDrill.assertBackupTookOverEveryConnection();
    }
}
