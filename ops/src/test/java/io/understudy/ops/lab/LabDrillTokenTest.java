package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a drill through the admin API needs from the lab, as an operator finds it: {@code status --json} names each
 * server's API URL and, once started, the drill token's file (never the token); {@code start} gives both nodes the same
 * fresh token through that root-only file (api.tokenFile: on no command line, in no environment, printed nowhere) and
 * keeps it for {@code heal}. GET /connections needs it; GET /metrics does not.
 */
@Tag("lab")
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabDrillTokenTest {
    private static final String TOKEN_FILE_VARIABLE = "UNDERSTUDY_DRILL_TOKEN_FILE";

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    @Order(1)
    void shouldNameEachServersApiAndNoTokenBeforeStart() {
        final JsonNode status = Lab.status();

        assertThat(status.get("drill_token_file").isNull()).as("%s", status).isTrue();
        assertThat(status.has("drill_token")).isFalse();
        assertThat(status.at("/hosts/primary/api_url").asText()).isEqualTo("http://198.18.0.2:8080/");
        assertThat(status.at("/hosts/backup/api_url").asText()).isEqualTo("http://198.18.0.3:8080/");
        assertThat(status.at("/hosts/client/api_url").isNull()).isTrue();
    }

    @Test
    @Order(2)
    void shouldGiveBothNodesTheSameFreshTokenThroughAFileAndPrintItNowhere() throws Exception {
        final Lab.Result start = Lab.startDemoService();

        final JsonNode status = Lab.status();
        final Path tokenFile = Path.of(status.get("drill_token_file").asText());
        assertThat(tokenFile).isEqualTo(Path.of(status.get("state_dir").asText(), "drill.token"));
        final String token = Files.readString(tokenFile).strip();
        assertThat(token).matches("[0-9a-f]{32}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)))
                .isEqualTo("rw-------");
        assertThat(start.stdout() + start.stderr()).as("ops/lab start's output").doesNotContain(token);
        assertThat(status.toString()).as("status --json").doesNotContain(token);
        assertThat(Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "status")).stdout())
                .as("status")
                .doesNotContain(token);
        for (final String host : List.of(Lab.PRIMARY, Lab.BACKUP)) {
            assertThat(environment(status, host, "node"))
                    .containsEntry(TOKEN_FILE_VARIABLE, tokenFile.toString())
                    .doesNotContainValue(token);
            for (final String kind : List.of("node", "runner")) {
                assertThat(commandLine(status, host, kind))
                        .as("%s's %s command line", host, kind)
                        .doesNotContain(token);
                assertThat(environment(status, host, kind).values())
                        .as("%s's %s environment", host, kind)
                        .noneMatch(value -> value.contains(token));
            }
            final String apiUrl = status.at("/hosts/" + host + "/api_url").asText();
            final JsonNode nodeStatus = new ObjectMapper()
                    .readTree(Lab.expectOk(Lab.exec(
                                    Lab.CLIENT,
                                    Duration.ofSeconds(20),
                                    "curl",
                                    "-sS",
                                    "--fail-with-body",
                                    apiUrl + "status"))
                            .stdout());
            assertThat(nodeStatus.get("nodeId").asText())
                    .as("GET %sstatus", apiUrl)
                    .isEqualTo(host);
            assertThat(curlStatus(apiUrl + "connections"))
                    .as("GET %sconnections without the token", apiUrl)
                    .isEqualTo("401");
            assertThat(Lab.requestWithToken(Lab.CLIENT, "GET", apiUrl + "connections", tokenFile))
                    .as("GET %sconnections with it", apiUrl)
                    .startsWith("200 ");
            assertThat(curlStatus(apiUrl + "metrics"))
                    .as("GET %smetrics, for a scraper", apiUrl)
                    .isEqualTo("200");
            assertThat(curlStatus(
                            "http://" + status.at("/hosts/" + host + "/address").asText() + ":8081/healthcheck"))
                    .as("Dropwizard's admin port, from the client host")
                    .isEqualTo("000");
        }
    }

    /** The HTTP status of a GET from the client host, without a token ("000": no connection). */
    private static String curlStatus(final String url) {
        return Lab.exec(
                        Lab.CLIENT,
                        Duration.ofSeconds(20),
                        "curl",
                        "-s",
                        "-o",
                        "/dev/null",
                        "--max-time",
                        "5",
                        "-w",
                        "%{http_code}",
                        url)
                .stdout()
                .strip();
    }

    @Test
    @Order(3)
    void shouldRestartTheHealedNodeWithTheSameToken() throws Exception {
        final Path tokenFile = Lab.drillTokenFile();
        final String token = Lab.drillToken();

        Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "process-kill"));
        Lab.expectOk(Lab.lab(Duration.ofSeconds(120), "heal"));

        final JsonNode status = Lab.status();
        assertThat(Lab.drillTokenFile()).isEqualTo(tokenFile);
        assertThat(Lab.drillToken()).isEqualTo(token);
        assertThat(environment(status, Lab.PRIMARY, "node"))
                .as("the healed node")
                .containsEntry(TOKEN_FILE_VARIABLE, tokenFile.toString());
        assertThat(Lab.requestWithToken(
                        Lab.CLIENT, "GET", status.at("/hosts/primary/api_url").asText() + "connections", tokenFile))
                .as("the healed node takes the token")
                .startsWith("200 ");
    }

    /** The environment a lab process of {@code host} was started with. */
    private static Map<String, String> environment(final JsonNode status, final String host, final String kind)
            throws IOException {
        return Arrays.stream(procFile(status, host, kind, "environ").split("\0"))
                .filter(entry -> entry.contains("="))
                .collect(Collectors.toMap(
                        entry -> entry.substring(0, entry.indexOf('=')),
                        entry -> entry.substring(entry.indexOf('=') + 1),
                        (first, second) -> second));
    }

    /** The command line of a lab process of {@code host}, arguments separated by spaces (what ps shows anyone). */
    private static String commandLine(final JsonNode status, final String host, final String kind) throws IOException {
        return procFile(status, host, kind, "cmdline").replace('\0', ' ');
    }

    private static String procFile(final JsonNode status, final String host, final String kind, final String file)
            throws IOException {
        final JsonNode process = status.at("/hosts/" + host + "/processes/" + kind);
        assertThat(process.path("alive").asBoolean())
                .as("%s on %s: %s", kind, host, process)
                .isTrue();
        return new String(
                Files.readAllBytes(Path.of("/proc", process.get("pid").asText(), file)), StandardCharsets.UTF_8);
    }
}
