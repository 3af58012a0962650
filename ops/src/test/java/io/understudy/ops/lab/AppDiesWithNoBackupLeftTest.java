package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary host crashed and the backup took over, fencing it: there is no backup any more. Then the new primary's
 * app dies. Handing over to the fenced peer would release the address and freeze the relay for the handover's whole
 * budget, for nothing. The node keeps the address, its clients get the app's EOF as they would without Understudy,
 * and it restarts the app so that new clients are served.
 */
@Tag("lab")
@Timeout(300)
class AppDiesWithNoBackupLeftTest {
    private static final String SERVICE = "/dev/tcp/" + Lab.VIP + "/" + Lab.DEMO_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepTheAddressAndRestartTheAppWhenItDiesWithTheOnlyPeerFenced() throws Exception {
        Lab.startDemoService();
        Lab.expectOk(Lab.lab(Duration.ofSeconds(60), "fail", "host-crash"));
        JsonNode status =
                awaitStatus(Lab.BACKUP, s -> "PRIMARY".equals(s.get("role").asText()), "the takeover");
        assertThat(status.get("lastFailover").get("fence").asText()).startsWith("fenced");
        final long appPid = AppFailover.awaitAppPid(Lab.BACKUP);
        final int transitionsBefore = status.get("transitions").size();

        // A client of the new primary, open across the app's death: it must see the end of its stream.
        final CompletableFuture<Lab.Result> client = CompletableFuture.supplyAsync(() -> Lab.exec(
                Lab.CLIENT,
                Duration.ofSeconds(60),
                "bash",
                "-c",
                "exec 3<>" + SERVICE + " && printf 'STATS\\n' >&3 && "
                        + "head -n 1 <&3 && timeout 40 cat <&3 >/dev/null && echo EOF"));
        Thread.sleep(1_000);
        // ops/lab fail takes one fail at a time (the host crash is in effect): kill -9 the app's process group.
        Lab.expectOk(Lab.exec(
                Lab.BACKUP,
                Duration.ofSeconds(10),
                "bash",
                "-c",
                "kill -KILL -- -$(cut -d' ' -f5 /proc/" + appPid + "/stat)"));

        status = awaitStatus(
                Lab.BACKUP,
                s -> !s.path("lastAppFailure").isNull()
                        && s.path("appHealth").path("alive").asBoolean()
                        && s.path("appHealth").path("failed").isNull(),
                "the app's failure reported and the app restarted");
        System.out.println("no backup left: status " + status);
        final JsonNode failure = status.get("lastAppFailure");
        assertThat(failure.get("kind").asText()).isEqualTo("crashed");
        assertThat(failure.get("outcome").asText()).isEqualTo("not handed over");
        assertThat(failure.get("error").asText()).contains("no backup");
        assertThat(failure.get("restart").asText()).startsWith("restarted");
        assertThat(status.get("role").asText()).isEqualTo("PRIMARY");
        assertThat(status.get("holdsServiceAddress").asBoolean())
                .as("the address never left")
                .isTrue();
        final JsonNode transitions = status.get("transitions");
        for (int i = transitionsBefore; i < transitions.size(); i++) {
            assertThat(transitions.get(i).get("to").asText())
                    .as("no handover tried: %s", transitions)
                    .isNotEqualTo("HANDING_OVER");
        }

        final Lab.Result ended = client.get();
        assertThat(ended.stdout())
                .as("the open client: its reply, then the end of its stream (%s)", ended.stderr())
                .startsWith("1 connections=")
                .contains("EOF");
        assertThat(Lab.exec(
                                Lab.CLIENT,
                                Duration.ofSeconds(20),
                                "bash",
                                "-c",
                                "exec 3<>" + SERVICE + " && printf 'STATS\\n' >&3 && head -n 1 <&3")
                        .stdout())
                .as("a new client is served by the restarted app")
                .startsWith("1 connections=");
    }

    private static JsonNode awaitStatus(
            final String host, final java.util.function.Predicate<JsonNode> until, final String what)
            throws InterruptedException {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode status = Lab.api(host, "/status");
        while (!until.test(status)) {
            assertThat(System.nanoTime()).as("%s on %s: %s", what, host, status).isLessThan(deadlineNs);
            Thread.sleep(200);
            status = Lab.api(host, "/status");
        }
        return status;
    }
}
