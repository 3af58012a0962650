package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failover drills through the admin API, as an operator runs them, with 20 clients loading the demo service: POST
 * /drills/failover on the primary (a planned handover) moves the service to the backup with no client error and the
 * old primary becomes the backup; a second drill, this time playing a crash, moves it back. Without the token the
 * drill is refused (401), and the backup refuses it (409). The token comes from the file {@code ops/lab status --json}
 * names, and goes to curl on stdin.
 */
@Tag("lab")
@Timeout(300)
class FailoverDrillThroughApiTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;
    private static final long DRILL_AFTER_MS = 4000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldMoveTheServiceToTheBackupAndBackWithNoClientErrorWhenDrilledThroughTheApi() throws Exception {
        Lab.startDemoService();
        final Path token = Lab.drillTokenFile();
        final Path wrongToken = Files.createTempFile(
                "understudy-wrong",
                ".token",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(wrongToken, "not-the-token\n");
        wrongToken.toFile().deleteOnExit();
        final String primaryUrl = "http://198.18.0.2:8080";
        final String backupUrl = "http://198.18.0.3:8080";

        assertThat(post(backupUrl + "/drills/failover", token))
                .as("the backup refuses a drill")
                .startsWith("409 ");
        assertThat(post(primaryUrl + "/drills/failover", wrongToken))
                .as("a wrong token")
                .startsWith("401 ");
        assertThat(post(primaryUrl + "/drills/failover?mode=sideways", token))
                .as("a bad mode")
                .startsWith("400 ")
                .contains("mode must be planned or crash");

        final JsonNode planned = drillUnderLoad(primaryUrl + "/drills/failover", token);
        assertThat(planned.get("outcome").asText())
                .as("planned drill %s", planned)
                .isEqualTo("ok");
        assertThat(planned.get("mode").asText()).isEqualTo("planned");
        assertThat(planned.get("from").asText()).isEqualTo(Lab.PRIMARY);
        assertThat(planned.get("to").asText()).isEqualTo(Lab.BACKUP);
        assertThat(planned.get("failover").get("restored").asInt()).isGreaterThanOrEqualTo(FailoverDrill.CONNECTIONS);
        assertThat(planned.get("failover").get("notRestored").size()).isZero();
        assertThat(Lab.vipHolder()).isEqualTo(Lab.BACKUP);
        assertThat(Lab.api(Lab.PRIMARY, "/status").get("role").asText())
                .as("the old primary")
                .isEqualTo("BACKUP");
        assertThat(Lab.api(Lab.PRIMARY, "/drills/last").get("id").asText())
                .isEqualTo(planned.get("id").asText());

        final JsonNode crash = drillUnderLoad(backupUrl + "/drills/failover?mode=crash", token);
        assertThat(crash.get("outcome").asText()).as("crash drill %s", crash).isEqualTo("ok");
        assertThat(crash.get("mode").asText()).isEqualTo("crash");
        assertThat(crash.get("to").asText()).isEqualTo(Lab.PRIMARY);
        assertThat(crash.get("failover").get("restored").asInt()).isGreaterThanOrEqualTo(FailoverDrill.CONNECTIONS);
        assertThat(Lab.vipHolder()).isEqualTo(Lab.PRIMARY);
        assertThat(Lab.api(Lab.BACKUP, "/status").get("role").asText()).isEqualTo("BACKUP");
    }

    /** 20 clients for 12 s, the drill posted 4 s in: every reply right; returns the drill's report. */
    private static JsonNode drillUnderLoad(final String url, final Path token) throws Exception {
        final CompletableFuture<JsonNode> load = CompletableFuture.supplyAsync(
                () -> LoadReport.run(SERVICE_PORT, "line", FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S));
        Thread.sleep(DRILL_AFTER_MS);
        final String answer = post(url, token);
        System.out.println("drill: POST " + url + " -> " + answer);
        assertThat(answer).startsWith("200 ");
        final JsonNode report = load.get();
        System.out.println("drill: loadgen " + report);
        LoadReport.assertEveryReplyRight(report, FailoverDrill.CONNECTIONS, FailoverDrill.DURATION_S);
        return JSON.readTree(answer.substring(4));
    }

    /** POST from the client host with the token in {@code tokenFile}: "STATUS BODY". */
    private static String post(final String url, final Path tokenFile) {
        return Lab.requestWithToken(Lab.CLIENT, "POST", url, tokenFile);
    }
}
