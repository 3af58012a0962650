package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An app that closes its connections on purpose while it lives (redis CLIENT KILL, QUIT): every close reaches its
 * client, after the close grace, and nothing is handed over. Prints what the grace costs a close.
 */
@Tag("lab")
@Timeout(300)
class AppClosesOnPurposeTest {
    private static final int CONNECTIONS = 20;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldPassEveryCloseAndHandNothingOverWhenTheAppClosesOnPurpose() throws Exception {
        Lab.startRedis();
        AppFailover.awaitAppPid(Lab.PRIMARY);
        final CompletableFuture<Lab.Result> clients = CompletableFuture.supplyAsync(() -> Lab.probe(
                Lab.CLIENT,
                "await-close",
                Lab.VIP,
                String.valueOf(Lab.REDIS_SERVICE_PORT),
                String.valueOf(CONNECTIONS),
                "20"));
        awaitRelayed(CONNECTIONS);

        final Lab.Result killed = Lab.expectOk(Lab.exec(
                Lab.PRIMARY,
                Duration.ofSeconds(20),
                "redis-cli",
                "-p",
                String.valueOf(Lab.REDIS_APP_PORT),
                "CLIENT",
                "KILL",
                "TYPE",
                "normal"));

        final Lab.Result ends = clients.get(60, TimeUnit.SECONDS);
        System.out.println("closes on purpose: CLIENT KILL " + killed.stdout().strip() + "; clients " + ends);
        assertThat(ends.stdout()).contains("END eof=" + CONNECTIONS + " reset=0 timeout=0 other=0");
        assertNothingHandedOver(CONNECTIONS);

        final Lab.Result viaVip = Lab.expectOk(Lab.probe(
                Lab.CLIENT, "close-delay", Lab.VIP, String.valueOf(Lab.REDIS_SERVICE_PORT), "QUIT\\r\\n", "50"));
        final Lab.Result direct = Lab.expectOk(Lab.probe(
                Lab.PRIMARY, "close-delay", "127.0.0.1", String.valueOf(Lab.REDIS_APP_PORT), "QUIT\\r\\n", "50"));
        System.out.println("close delay after QUIT's +OK: through the VIP " + last(viaVip) + "; straight to redis "
                + last(direct));
        assertThat(last(viaVip)).as("every QUIT's FIN reaches the client").endsWith("eof=50");
        assertThat(last(direct)).endsWith("eof=50");
    }

    private static void awaitRelayed(final int connections) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Lab.api(Lab.PRIMARY, "/status")
                        .get("relay")
                        .get("connectionsOpen")
                        .asInt()
                < connections) {
            assertThat(System.nanoTime()).as("%d clients relayed", connections).isLessThan(deadlineNs);
            Thread.sleep(100);
        }
        Thread.sleep(300); // every client has had its +PONG
    }

    /** The primary passed at least {@code closes} app closes and still serves; no app failure, no takeover. */
    static void assertNothingHandedOver(final int closes) {
        final JsonNode primary = Lab.api(Lab.PRIMARY, "/status");
        assertThat(primary.get("role").asText()).isEqualTo("PRIMARY");
        assertThat(primary.get("lastAppFailure").isNull())
                .as("no app failure: %s", primary)
                .isTrue();
        assertThat(primary.get("relay").get("appClosesPassed").asLong()).isGreaterThanOrEqualTo(closes);
        final JsonNode backup = Lab.api(Lab.BACKUP, "/status");
        assertThat(backup.get("role").asText()).isEqualTo("BACKUP");
        assertThat(backup.get("lastFailover").isNull())
                .as("no takeover: %s", backup)
                .isTrue();
    }

    /** The last line a probe printed. */
    static String last(final Lab.Result result) {
        return result.stdout().strip().lines().reduce((a, b) -> b).orElse("");
    }
}
