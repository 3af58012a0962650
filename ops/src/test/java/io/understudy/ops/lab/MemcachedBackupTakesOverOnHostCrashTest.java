package io.understudy.ops.lab;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * memcached under Understudy, each client setting its own key to 0 and then incr on it, and the primary host
 * crashes: every memcached connection continues on the backup's memcached, whose replica has seen every set and incr
 * the primary acknowledged.
 */
@Tag("lab")
@Timeout(300)
class MemcachedBackupTakesOverOnHostCrashTest {
    private static final int SERVICE_PORT = Lab.MEMCACHED_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryMemcachedConnectionAndReplyWhenPrimaryHostCrashes() throws Exception {
        Lab.startMemcached();

        final JsonNode report = FailoverDrill.run(SERVICE_PORT, "memcached", "host-crash");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        FailoverDrill.assertBackupTookOverEveryConnection();
    }
}
