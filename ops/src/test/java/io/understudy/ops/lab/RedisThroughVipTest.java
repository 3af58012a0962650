package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real third-party app, redis-server, under Understudy in the lab: RESP clients in the client host use it through
 * the VIP as if it were a plain Redis.
 */
@Tag("lab")
@Timeout(300)
class RedisThroughVipTest {
    private static final int SERVICE_PORT = Lab.REDIS_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @BeforeAll
    static void startRedis() {
        Lab.startRedis();
    }

    @Test
    void shouldIncrementThroughVipWithRedisCli() {
        final String[] incr = {"redis-cli", "-h", Lab.VIP, "-p", String.valueOf(SERVICE_PORT), "INCR", "cli-counter"};

        assertThat(Lab.exec(Lab.CLIENT, Duration.ofSeconds(30), incr).stdout()).isEqualTo("1\n");
        assertThat(Lab.exec(Lab.CLIENT, Duration.ofSeconds(30), incr).stdout()).isEqualTo("2\n");
    }

    @Test
    void shouldGetEveryReplyRightWhenTwentyRespConnectionsLoadTheVip() {
        final JsonNode report = LoadReport.run(SERVICE_PORT, "resp", 20, 5);

        assertThat(report.get("protocol").asText()).isEqualTo("resp");
        LoadReport.assertEveryReplyRight(report, 20, 5);
    }
}
