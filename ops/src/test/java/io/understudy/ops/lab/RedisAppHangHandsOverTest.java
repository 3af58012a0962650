package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * 20 long-lived clients through the VIP, hot mode, and redis-server on the primary is stopped (SIGSTOP: a hung app; the node lives on): no client sees an EOF, a reset or a lost reply; the
 * backup's replica serves every connection, and the old primary restarts its app and comes back as the backup.
 */
@Tag("lab")
@Timeout(300)
class RedisAppHangHandsOverTest
{
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenThePrimarysAppHangs() throws Exception
    {
        Lab.startRedis();
        AppFailover.awaitAppPid(Lab.PRIMARY);

        final JsonNode report = FailoverDrill.run(Lab.REDIS_SERVICE_PORT, "resp", "app-hang");

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        final JsonNode failover = AppFailover.assertBackupTookOverForApp("hung");
        assertThat(failover.get("trigger").asText()).contains("app check failed");
        AppFailover.assertOldPrimaryCameBackAsBackup("hung");
        System.out.println("RedisAppHangHandsOverTest: stall max " + report.get("max_stall_ms") + " ms, p99 " +
            report.get("stall_p99_ms") + " ms");
    }
}
