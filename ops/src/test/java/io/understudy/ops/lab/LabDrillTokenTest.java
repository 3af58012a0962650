package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a drill through the admin API needs from the lab, as an operator finds it: {@code status --json} names each
 * server's API URL and, once started, the drill token; {@code start} gives both nodes the same fresh token (through
 * their environment, never their command lines) and keeps it, root-only, for {@code heal}.
 */
@Tag("lab")
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabDrillTokenTest
{
    private static final String TOKEN_VARIABLE = "UNDERSTUDY_DRILL_TOKEN";

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    @Order(1)
    void shouldNameEachServersApiAndNoTokenBeforeStart()
    {
        final JsonNode status = Lab.status();

        assertThat(status.get("drill_token").isNull()).as("%s", status).isTrue();
        assertThat(status.at("/hosts/primary/api_url").asText()).isEqualTo("http://198.18.0.2:8080/");
        assertThat(status.at("/hosts/backup/api_url").asText()).isEqualTo("http://198.18.0.3:8080/");
        assertThat(status.at("/hosts/client/api_url").isNull()).isTrue();
    }

    @Test
    @Order(2)
    void shouldGiveBothNodesTheSameFreshTokenThroughTheirEnvironment() throws Exception
    {
        Lab.startDemoService();

        final JsonNode status = Lab.status();
        final String token = status.get("drill_token").asText();
        assertThat(token).matches("[0-9a-f]{32}");
        final Path tokenFile = Path.of(status.get("state_dir").asText(), "drill.token");
        assertThat(Files.readString(tokenFile).strip()).isEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        for (final String host : List.of(Lab.PRIMARY, Lab.BACKUP))
        {
            assertThat(environment(status, host, "node")).containsEntry(TOKEN_VARIABLE, token);
            for (final String kind : List.of("node", "runner"))
            {
                assertThat(commandLine(status, host, kind)).as("%s's %s command line", host, kind)
                    .doesNotContain(token);
            }
            final String apiUrl = status.at("/hosts/" + host + "/api_url").asText();
            final JsonNode nodeStatus = new ObjectMapper().readTree(Lab.expectOk(Lab.exec(Lab.CLIENT,
                Duration.ofSeconds(20), "curl", "-sS", "--fail-with-body", apiUrl + "status")).stdout());
            assertThat(nodeStatus.get("nodeId").asText()).as("GET %sstatus", apiUrl).isEqualTo(host);
        }
    }

    @Test
    @Order(3)
    void shouldRestartTheHealedNodeWithTheSameToken() throws Exception
    {
        final String token = Lab.status().get("drill_token").asText();

        Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "process-kill"));
        Lab.expectOk(Lab.lab(Duration.ofSeconds(120), "heal"));

        final JsonNode status = Lab.status();
        assertThat(status.get("drill_token").asText()).isEqualTo(token);
        assertThat(environment(status, Lab.PRIMARY, "node")).as("the healed node").containsEntry(TOKEN_VARIABLE, token);
    }

    /** The environment a lab process of {@code host} was started with. */
    private static Map<String, String> environment(final JsonNode status, final String host, final String kind)
        throws IOException
    {
        return Arrays.stream(procFile(status, host, kind, "environ").split("\0"))
            .filter(entry -> entry.contains("="))
            .collect(Collectors.toMap(entry -> entry.substring(0, entry.indexOf('=')),
                entry -> entry.substring(entry.indexOf('=') + 1), (first, second) -> second));
    }

    /** The command line of a lab process of {@code host}, arguments separated by spaces (what ps shows anyone). */
    private static String commandLine(final JsonNode status, final String host, final String kind) throws IOException
    {
        return procFile(status, host, kind, "cmdline").replace('\0', ' ');
    }

    private static String procFile(final JsonNode status, final String host, final String kind, final String file)
        throws IOException
    {
        final JsonNode process = status.at("/hosts/" + host + "/processes/" + kind);
        assertThat(process.path("alive").asBoolean()).as("%s on %s: %s", kind, host, process).isTrue();
        return new String(Files.readAllBytes(Path.of("/proc", process.get("pid").asText(), file)),
            StandardCharsets.UTF_8);
    }
}
