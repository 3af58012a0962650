package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lab's side of the node settings and of tap loss, as an operator uses them: {@code start --mode/--commit/
 * --divergence} are checked, reach both nodes' environment, show in status and survive heal; {@code tap-loss} drops only the backup's
 * copy of the service traffic (the clients lose nothing), counts it, and goes away with {@code off}.
 */
@Tag("lab")
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabStartSettingsAndTapLossTest {
    private static final int LOAD_S = 4;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    @Order(1)
    void shouldRefuseBadSettingsAndTapLossBeforeStartWithoutStartingAnything() {
        final Lab.Result badMode = Lab.lab(
                Duration.ofSeconds(30),
                "start",
                "--app",
                "true",
                "--app-port",
                "7000",
                "--service-port",
                "7070",
                "--mode",
                "foo");
        assertThat(badMode.exitCode()).as("%s", badMode).isEqualTo(2);
        assertThat(badMode.stderr()).contains("ops/lab: start: --mode must be hot or replay, got 'foo'");
        final Lab.Result badCommit = Lab.lab(
                Duration.ofSeconds(30),
                "start",
                "--app",
                "true",
                "--app-port",
                "7000",
                "--service-port",
                "7070",
                "--commit",
                "later");
        assertThat(badCommit.exitCode()).as("%s", badCommit).isEqualTo(2);
        assertThat(badCommit.stderr()).contains("--commit must be async or sync, got 'later'");
        final Lab.Result badDivergence = Lab.lab(
                Duration.ofSeconds(30),
                "start",
                "--app",
                "true",
                "--app-port",
                "7000",
                "--service-port",
                "7070",
                "--divergence",
                "close");
        assertThat(badDivergence.exitCode()).as("%s", badDivergence).isEqualTo(2);
        assertThat(badDivergence.stderr()).contains("--divergence must be exact or same-length, got 'close'");
        assertThat(Lab.status().get("app").isNull()).as("nothing started").isTrue();

        final Lab.Result beforeStart = Lab.lab(Duration.ofSeconds(30), "tap-loss", "5");
        assertThat(beforeStart.exitCode()).as("%s", beforeStart).isEqualTo(1);
        assertThat(beforeStart.stderr()).contains("run ops/lab start first");
        for (final String percent : List.of("0", "100", "5%", "x")) {
            final Lab.Result bad = Lab.lab(Duration.ofSeconds(30), "tap-loss", percent);
            assertThat(bad.exitCode()).as("tap-loss %s: %s", percent, bad).isEqualTo(2);
            assertThat(bad.stderr()).contains("PERCENT must be an integer 1-99");
        }
        final Lab.Result off = Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "tap-loss", "off"));
        assertThat(off.stdout()).contains("no tap loss in effect");
    }

    @Test
    @Order(2)
    void shouldGiveBothNodesModeAndCommitAndDropOnlyTheTapsCopyOfServiceFrames() throws Exception {
        Lab.startDemoService("--mode", "replay", "--commit", "sync", "--divergence", "same-length");

        final JsonNode status = Lab.status();
        assertThat(status.get("mode").asText()).isEqualTo("replay");
        assertThat(status.get("commit").asText()).isEqualTo("sync");
        assertThat(status.get("divergence").asText()).isEqualTo("same-length");
        assertThat(Lab.api(Lab.BACKUP, "/status").at("/tap/divergencePolicy").asText())
                .isEqualTo("same-length (differences of 32 bytes at most)");
        assertThat(status.at("/tap_loss/in_effect").asBoolean()).isFalse();
        for (final String host : List.of(Lab.PRIMARY, Lab.BACKUP)) {
            assertThat(Lab.nodeEnvironment(host))
                    .contains(
                            "UNDERSTUDY_TAKEOVER_MODE=replay",
                            "UNDERSTUDY_COMMIT=sync",
                            "UNDERSTUDY_REPLICA_DIVERGENCE=same-length");
        }

        Lab.tapLoss(20);
        final JsonNode lossy = Lab.status().get("tap_loss");
        assertThat(lossy.get("host").asText()).isEqualTo(Lab.BACKUP);
        assertThat(lossy.get("percent").asInt()).isEqualTo(20);
        assertThat(lossy.get("service_port").asInt()).isEqualTo(Lab.DEMO_SERVICE_PORT);
        assertThat(lossy.get("dropped").asLong()).isZero();

        final JsonNode report = LoadReport.run(Lab.DEMO_SERVICE_PORT, "line", FailoverDrill.CONNECTIONS, LOAD_S);

        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, LOAD_S);
        assertThat(Lab.tapLossDropped())
                .as("frames dropped on the way to the backup's tap")
                .isPositive();
        assertThat(Lab.api(Lab.BACKUP, "/status").get("members").size())
                .as("heartbeats pass")
                .isEqualTo(2);

        Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "tap-loss", "off"));
        assertThat(Lab.status().at("/tap_loss/in_effect").asBoolean()).isFalse();
        assertThat(Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "tap-loss", "off"))
                        .stdout())
                .contains("no tap loss in effect");
    }

    @Test
    @Order(3)
    void shouldRestartTheHealedNodeWithTheSameModeAndCommit() {
        Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "process-kill"));
        Lab.expectOk(Lab.lab(Duration.ofSeconds(120), "heal"));

        assertThat(Lab.nodeEnvironment(Lab.PRIMARY))
                .contains(
                        "UNDERSTUDY_TAKEOVER_MODE=replay",
                        "UNDERSTUDY_COMMIT=sync",
                        "UNDERSTUDY_REPLICA_DIVERGENCE=same-length");
        assertThat(Lab.status().get("mode").asText()).isEqualTo("replay");
    }
}
