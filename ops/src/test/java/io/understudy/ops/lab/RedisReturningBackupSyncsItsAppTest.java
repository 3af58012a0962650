package io.understudy.ops.lab;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ReturningBackupSyncsItsAppTest} for redis-server with the sync command Understudy ships for it,
 * {@code ops/sync/redis}: the returned node's redis replicates from the serving node's, then stops. Redis listens on
 * the hosts' LAN addresses for that (protected mode off: the lab's LAN has no stranger), copies without the diskless
 * sync's 5 s delay, and loads the copy from the socket (no dump file left in the working directory).
 */
@Tag("lab")
@Timeout(400)
class RedisReturningBackupSyncsItsAppTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldProtectRedisClientsOfKeysWrittenBeforeACrashOnceTheReturnedNodesRedisIsSynced() throws Exception {
        ReturningBackupSyncsItsAppTest.run(
                "redis-server --port " + Lab.REDIS_APP_PORT + " --bind 0.0.0.0 --protected-mode no --save '' "
                        + "--appendonly no --repl-diskless-sync-delay 0 --repl-diskless-load swapdb",
                Lab.REDIS_APP_PORT,
                Lab.REDIS_SERVICE_PORT,
                Lab.REDIS_CHECK,
                Lab.REPO.resolve("ops/sync/redis").toString(),
                "resp");
    }
}
