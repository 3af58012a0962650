package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The logger dies under load ({@code ops/lab fail logger-kill}: SIGKILL to the backup's node, which runs it) while the
 * primary holds output for sync commit: the primary keeps serving every client, says its protection is degraded and
 * why, and once the backup is back ({@code ops/lab heal}) ships what the logger missed: nothing dropped, nothing
 * rejected, the lag back to zero.
 */
@Tag("lab")
@Timeout(300)
class PrimaryKeepsServingWhileLoggerIsDownTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;
    private static final int DURATION_S = 20;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldServeEveryReplyAndReportDegradedProtectionWhenTheLoggerDiesAndComesBack() throws Exception {
        Lab.startDemoService("--commit", "sync");
        final CompletableFuture<JsonNode> load = CompletableFuture.supplyAsync(
                () -> LoadReport.run(SERVICE_PORT, "line", FailoverDrill.CONNECTIONS, DURATION_S));
        Thread.sleep(3000);
        assertThat(readLog().get("connected").asBoolean())
                .as("shipping before the fail: %s", readLog())
                .isTrue();

        Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "logger-kill"));
        final JsonNode down = await(log ->
                !log.get("connected").asBoolean() && log.get("lagRecords").asLong() > 0);
        System.out.println("logger down: primary readLog " + down);
        assertThat(down.get("degraded").asText()).startsWith("logger unreachable");
        assertThat(down.get("lastError").asText()).contains("7400");

        Lab.expectOk(Lab.lab(Duration.ofSeconds(120), "heal"));
        final JsonNode back = await(
                log -> log.get("connected").asBoolean() && log.get("lagRecords").asLong() == 0);
        System.out.println("logger back: primary readLog " + back);
        assertThat(back.get("dropped").asLong()).as("records dropped").isZero();
        assertThat(back.get("acked").asLong())
                .as("every record shipped was acked")
                .isEqualTo(back.get("shipped").asLong());
        final JsonNode logger = Lab.api(Lab.BACKUP, "/status").get("logger");
        System.out.println("logger back: backup logger " + logger);
        assertThat(logger.get("rejected").asLong())
                .as("records the logger refused")
                .isZero();
        assertThat(logger.get("lastError").isNull())
                .as("logger error: %s", logger)
                .isTrue();
        assertThat(logger.get("appended").asLong())
                .as("the records the primary kept for it, at least")
                .isGreaterThanOrEqualTo(down.get("lagRecords").asLong());

        final JsonNode report = load.get();
        System.out.println("logger outage: loadgen " + report);
        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, DURATION_S);
    }

    private static JsonNode readLog() {
        return Lab.api(Lab.PRIMARY, "/status").get("readLog");
    }

    private static JsonNode await(final Predicate<JsonNode> state) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode log = readLog();
        while (!state.test(log) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            log = readLog();
        }
        assertThat(state.test(log))
                .as("primary's readLog reached the state: %s", log)
                .isTrue();
        return log;
    }
}
