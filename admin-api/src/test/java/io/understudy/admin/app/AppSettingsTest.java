package io.understudy.admin.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code node.app:} section as a user writes it in YAML: parsed into what the node uses, or refused with a
 * message naming the field.
 */
class AppSettingsTest {
    @TempDir
    Path dir;

    @Test
    void shouldDefaultToATcpConnectCheckThatFindsAStoppedAppWithinTwoSeconds() throws Exception {
        final AppSettings app = load("node:\n  app: {}\n");
        final AppCheckSettings check = app.getCheck();

        assertThat(app.getPidFile()).isEmpty();
        assertThat(app.getSystemdUnit()).isEmpty();
        assertThat(app.getCloseGraceMs()).isEqualTo(50);
        assertThat(app.getRestartCommand()).isEmpty();
        assertThat(app.getRestartTimeoutMs()).isEqualTo(30_000);
        assertThat(check.getType()).isEqualTo(AppCheckSettings.Type.TCP);
        assertThat(check.getSend()).isEmpty();
        assertThat(check.getExpect()).isEmpty();
        assertThat(check.getCommand()).isEmpty();
        assertThat(check.getFailures() * (check.getTimeoutMs() + check.getIntervalMs()))
                .isEqualTo(1_800);
    }

    @Test
    void shouldReadARedisPingCheckWithItsEscapesDecoded() throws Exception {
        final AppSettings app = load("""
            node:
              app:
                pidFile: /run/redis/redis-server.pid
                closeGraceMs: 20
                restartCommand: [systemctl, restart, redis-server]
                check:
                  type: TCP
                  send: "PING\\r\\n"
                  expect: "+PONG\\r\\n"
                  intervalMs: 100
                  timeoutMs: 250
                  failures: 4
            """);

        assertThat(app.getPidFile()).isEqualTo("/run/redis/redis-server.pid");
        assertThat(app.getCloseGraceMs()).isEqualTo(20);
        assertThat(app.getRestartCommand()).containsExactly("systemctl", "restart", "redis-server");
        assertThat(app.getCheck().getSend()).isEqualTo("PING\r\n");
        assertThat(app.getCheck().getExpect()).isEqualTo("+PONG\r\n");
        assertThat(app.getCheck().getIntervalMs()).isEqualTo(100);
        assertThat(app.getCheck().getTimeoutMs()).isEqualTo(250);
        assertThat(app.getCheck().getFailures()).isEqualTo(4);
    }

    @Test
    void shouldReadACommandCheckWhenWrittenInLowerCase() throws Exception {
        final AppSettings app = load("""
            node:
              app:
                systemdUnit: redis-server.service
                check:
                  type: command
                  command: [redis-cli, -p, "6390", ping]
            """);

        assertThat(app.getSystemdUnit()).isEqualTo("redis-server.service");
        assertThat(app.getCheck().getType()).isEqualTo(AppCheckSettings.Type.COMMAND);
        assertThat(app.getCheck().getCommand()).containsExactly("redis-cli", "-p", "6390", "ping");
    }

    @Test
    void shouldListTheTypesWhenTheCheckTypeIsUnknown() {
        assertThatThrownBy(() -> load("node:\n  app:\n    check:\n      type: http\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.app.check.type")
                .hasMessageContaining("'http' is not an app check type: expected tcp, command or none");
    }

    @Test
    void shouldRefuseACommandCheckWithoutACommand() {
        assertThatThrownBy(() -> load("node:\n  app:\n    check:\n      type: command\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.app.check.commandSetForTypeCommand must be set when type is command");
    }

    @Test
    void shouldRefuseBothAPidFileAndASystemdUnit() {
        assertThatThrownBy(() -> load("""
            node:
              app:
                pidFile: /run/redis.pid
                systemdUnit: redis-server.service
            """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.app.pidFileOrSystemdUnit set pidFile or systemdUnit, not both");
    }

    @Test
    void shouldRefuseOutOfRangeNumbers() {
        assertThatThrownBy(() -> load("""
            node:
              app:
                closeGraceMs: 5000
                check:
                  failures: 0
            """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.app.closeGraceMs must be less than or equal to 1000")
                .hasMessageContaining("node.app.check.failures must be greater than or equal to 1");
    }

    private AppSettings load(final String yaml) throws IOException, ConfigurationException {
        final Path file = dir.resolve("node-" + System.nanoTime() + ".yml");
        Files.writeString(file, yaml);
        return new YamlConfigurationFactory<>(Root.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw")
                .build(new File(file.toString()))
                .node
                .app;
    }

    /** Just enough of the node's configuration to give the section its real path. */
    static final class Root {
        @Valid
        @NotNull
        @JsonProperty
        Node node;
    }

    static final class Node {
        @Valid
        @NotNull
        @JsonProperty
        AppSettings app;

        @JsonProperty
        List<String> unused = List.of();
    }
}
