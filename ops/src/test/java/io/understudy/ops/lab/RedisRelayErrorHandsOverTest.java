package io.understudy.ops.lab;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary's relay thread dies while redis-server serves 20 RESP clients: the node exits, the backup takes every
 * connection over, every reply is right (as {@link RelayErrorHandsOverTest} with the demo service).
 */
@Tag("lab")
@Timeout(300)
class RedisRelayErrorHandsOverTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenThePrimarysRelayThreadDies() throws Exception {
        Lab.startRedis();
        RelayErrorHandsOverTest.assertHandedOver(Lab.REDIS_SERVICE_PORT, "resp");
    }
}
