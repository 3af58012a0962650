package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin API over TLS ({@code ops/lab start --api-tls}: Dropwizard's https connector with the pair's keystore), as
 * an operator and the pair use it: from the client host, a request that does not trust the pair's certificate gets no
 * answer, nor does plain HTTP; with the certificate (curl --cacert) the API answers; a planned drill run with
 * {@code ops/understudy drill --cacert} under 20 clients moves the service with every reply right, which needs the
 * primary to reach the backup's API over TLS; {@code ops/understudy drill} without --cacert is refused with the reason.
 */
@Tag("lab")
@Timeout(300)
class ApiOverTlsTest {
    private static final long DRILL_AFTER_MS = 4000;
    /**
     * Long enough for the drill to land inside it: {@code ops/understudy drill} starts a JVM on the client host,
     * which took over 8 s on the loaded CI host once, after a 12 s load had ended (nothing left to restore), and a
     * drill refused while the view was split is asked again once.
     */
    private static final int LOAD_S = 30;

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldServeTheApiOnlyOverTlsAndRunADrillThroughIt() throws Exception {
        Lab.startDemoService("--api-tls");
        final JsonNode status = Lab.status();
        final Path certificate = Path.of(status.get("api_cert_file").asText());
        final Path token = Lab.drillTokenFile();
        assertThat(Files.readString(certificate)).startsWith("-----BEGIN CERTIFICATE-----");
        final String primaryUrl = status.at("/hosts/primary/api_url").asText();
        assertThat(primaryUrl).isEqualTo("https://198.18.0.2:8080/");
        assertThat(status.at("/hosts/backup/api_url").asText()).isEqualTo("https://198.18.0.3:8080/");

        assertThat(curl(primaryUrl + "status").exitCode())
                .as("curl without the certificate: 60, not verified")
                .isEqualTo(60);
        assertThat(curl("http://198.18.0.2:8080/status").stdout())
                .as("plain HTTP to the TLS port")
                .doesNotContain("\"nodeId\"");
        final JsonNode nodeStatus = JSON.readTree(
                Lab.expectOk(curl("--cacert", certificate.toString(), "--fail-with-body", primaryUrl + "status"))
                        .stdout());
        assertThat(nodeStatus.get("nodeId").asText()).isEqualTo(Lab.PRIMARY);
        assertThat(nodeStatus.get("role").asText()).isEqualTo("PRIMARY");

        final Lab.Result untrusted = drill(primaryUrl, token);
        assertThat(untrusted.exitCode()).as("%s", untrusted).isEqualTo(3);
        assertThat(untrusted.stderr()).contains("drill: cannot reach " + primaryUrl + "drills/failover", "--cacert");
        assertThat(Lab.status().get("vip_holder").asText()).as("no drill ran").isEqualTo(Lab.PRIMARY);

        final CompletableFuture<JsonNode> load = CompletableFuture.supplyAsync(
                () -> LoadReport.run(Lab.DEMO_SERVICE_PORT, "line", FailoverDrill.CONNECTIONS, LOAD_S));
        Thread.sleep(DRILL_AFTER_MS);
        Lab.Result drilled = drill(primaryUrl, token, "--cacert", certificate.toString(), "--json");
        if (drilled.exitCode() != 0 && drilled.stderr().contains("not in the heartbeat view")) {
            // What an operator does: the drill was refused because the two nodes, both on the loaded two cores, had
            // suspected each other and not yet merged (the drill waits 5 s for that). Once each sees the other
            // again, ask once more; a second refusal fails the test.
            System.out.println("drill over TLS: refused while the view was split, retrying once: " + drilled);
            awaitPeersInView(
                    certificate, primaryUrl, status.at("/hosts/backup/api_url").asText());
            drilled = drill(primaryUrl, token, "--cacert", certificate.toString(), "--json");
        }
        System.out.println("drill over TLS: " + drilled);
        final JsonNode report = load.get();
        System.out.println("drill over TLS: loadgen " + report);
        assertThat(drilled.exitCode()).as("%s", drilled).isZero();
        final JsonNode drill = JSON.readTree(drilled.stdout());
        assertThat(drill.get("outcome").asText()).isEqualTo("ok");
        assertThat(drill.get("to").asText()).isEqualTo(Lab.BACKUP);
        assertThat(drill.at("/failover/restored").asInt()).isGreaterThanOrEqualTo(FailoverDrill.CONNECTIONS);
        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, LOAD_S);
        assertThat(Lab.vipHolder()).isEqualTo(Lab.BACKUP);
        final JsonNode oldPrimary = JSON.readTree(
                Lab.expectOk(curl("--cacert", certificate.toString(), "--fail-with-body", primaryUrl + "status"))
                        .stdout());
        assertThat(oldPrimary.get("role").asText()).as("the old primary").isEqualTo("BACKUP");
    }

    /** Waits up to 30 s until each node's status lists the other in its heartbeat view. */
    private static void awaitPeersInView(final Path certificate, final String... urls) throws Exception {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            boolean merged = true;
            for (final String url : urls) {
                final Lab.Result answer = curl("--cacert", certificate.toString(), "--fail-with-body", url + "status");
                final JsonNode members =
                        answer.exitCode() == 0 ? JSON.readTree(answer.stdout()).path("members") : null;
                last = url + ": " + (members == null ? answer : members);
                merged &= members != null && members.size() == 2;
            }
            if (merged) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the nodes did not see each other again within 30 s; last: " + last);
    }

    /** curl from the client host, at most 10 s. */
    private static Lab.Result curl(final String... args) {
        final String[] command = new String[args.length + 4];
        command[0] = "curl";
        command[1] = "-sS";
        command[2] = "--max-time";
        command[3] = "10";
        System.arraycopy(args, 0, command, 4, args.length);
        return Lab.exec(Lab.CLIENT, Duration.ofSeconds(20), command);
    }

    /** {@code ops/understudy drill --node URL --token-file T ARGS} from the client host. */
    private static Lab.Result drill(final String url, final Path token, final String... args) {
        final String[] command = new String[args.length + 6];
        command[0] = Lab.REPO.resolve("ops/understudy").toString();
        command[1] = "drill";
        command[2] = "--node";
        command[3] = url;
        command[4] = "--token-file";
        command[5] = token.toString();
        System.arraycopy(args, 0, command, 6, args.length);
        return Lab.exec(Lab.CLIENT, Duration.ofSeconds(90), command);
    }
}
