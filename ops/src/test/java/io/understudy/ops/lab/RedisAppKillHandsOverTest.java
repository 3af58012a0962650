package io.understudy.ops.lab;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 20 long-lived clients through the VIP, hot mode, and redis-server on the primary is killed (kill -9; the node lives on): no client sees an EOF, a reset or a lost reply; the
 * backup's replica serves every connection, and the old primary restarts its app and comes back as the backup.
 */
@Tag("lab")
@Timeout(300)
class RedisAppKillHandsOverTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenThePrimarysAppCrashes() throws Exception {
        Lab.startRedis();
        AppFailover.assertHandedOver(Lab.REDIS_SERVICE_PORT, "resp", "app-kill", "crashed", "signal 9");
    }
}
