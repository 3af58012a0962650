package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.understudy.admin.UnderstudyConfiguration;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read log's and the takeover mode's settings as a user writes them in a node's YAML: parsed into what the node
 * uses, or refused with a message naming the field.
 */
class LogSettingsTest {
    private static final String NODE = """
        node:
          id: n1
          role: backup
          serviceAddress: 198.18.0.100
          servicePort: 7070
          appPort: 7000
          lanAddress: 198.18.0.3
          membership:
            peers: 198.18.0.2:7800,198.18.0.3:7800
          takeover:
            claimCommand: [ip, addr, add, 198.18.0.100/24, dev, eth0]
            fence: none
          security:
            insecure: true
        %s
        """;

    @TempDir
    Path dir;

    @Test
    void shouldDefaultToHotModeAsyncCommitAndTheBackupsLogger() throws Exception {
        final NodeSettings node = load("").getNode();

        assertThat(node.getTakeover().getMode()).isEqualTo(TakeoverSettings.Mode.HOT);
        assertThat(node.getLog().getCommit()).isEqualTo(LogSettings.Commit.ASYNC);
        assertThat(node.getLog().getLogger()).isEmpty();
        assertThat(node.getLog().getListenPort()).isEqualTo(7400);
        assertThat(node.getLog().getCommitTimeoutMs()).isEqualTo(500);
        assertThat(node.getLog().isEnabled()).isTrue();
    }

    @Test
    void shouldReadReplayModeSyncCommitAndAThirdHostLoggerWhenWrittenInLowerCase() throws Exception {
        final NodeSettings node = load("""
              log:
                logger: 198.18.0.4:7400
                commit: sync
                commitTimeoutMs: 250
            """).getNode();
        final NodeSettings defaults = load("").getNode();

        assertThat(node.getLog().getCommit()).isEqualTo(LogSettings.Commit.SYNC);
        assertThat(node.getLog().getLogger()).isEqualTo("198.18.0.4:7400");
        assertThat(node.getLog().getCommitTimeoutMs()).isEqualTo(250);
        assertThat(NodeWiring.load(node).loggerAddress(Role.PRIMARY).toString()).isEqualTo("/198.18.0.4:7400");
        assertThat(NodeWiring.load(defaults).loggerAddress(Role.PRIMARY).toString())
                .as("the primary ships to its peer's logger")
                .isEqualTo("/198.18.0.2:7400");
        assertThat(NodeWiring.load(defaults).loggerAddress(Role.BACKUP).toString())
                .as("the backup follows its own")
                .isEqualTo("/198.18.0.3:7400");
    }

    @Test
    void shouldNameTheFieldWhenLoggerIsNotHostPort() {
        assertThatThrownBy(() -> load("""
              log:
                logger: just-a-host
            """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.log.logger must be empty or host:port");
    }

    @Test
    void shouldJudgeReplicasExactlyByDefaultAndTolerateSameLengthDifferencesWhenAsked() throws Exception {
        assertThat(load("").getNode().getReplica().policy())
                .isEqualTo(io.understudy.backup.replica.DivergencePolicy.EXACT);

        final NodeSettings node = load("""
              replica:
                divergence: Same-Length
                maxDifferenceBytes: 40
            """).getNode();

        assertThat(node.getReplica().policy()).isEqualTo(io.understudy.backup.replica.DivergencePolicy.sameLength(40));
        assertThat(NodeWiring.load(node).tapConfig().divergence().describe())
                .isEqualTo("same-length (differences of 40 bytes at most)");
        assertThatThrownBy(() -> load("""
              replica:
                divergence: close-enough
            """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.replica.divergence")
                .hasMessageContaining("expected exact or same-length");
        assertThatThrownBy(() -> load("""
              replica:
                divergence: same-length
                maxDifferenceBytes: 0
            """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.replica.maxDifferenceBytes must be greater than or equal to 1");
    }

    @Test
    void shouldRunNoSyncByDefaultOrForAnEmptyProgramAndTheGivenOneOtherwise() throws Exception {
        assertThat(load("").getNode().getReplica().getSyncCommand()).isEmpty();
        assertThat(load("""
              replica:
                syncCommand: [""]
            """).getNode().getReplica().getSyncCommand())
                .as("a variable left unset in the config")
                .isEmpty();

        final ReplicaSettings replica = load("""
              replica:
                syncCommand: [/usr/lib/understudy/sync-redis, "6390"]
                syncTimeoutMs: 30000
            """).getNode().getReplica();

        assertThat(replica.getSyncCommand()).containsExactly("/usr/lib/understudy/sync-redis", "6390");
        assertThat(replica.getSyncTimeoutMs()).isEqualTo(30_000);
        assertThat(replica.getSyncRetryMs()).isEqualTo(5_000);
        assertThatThrownBy(() -> load("""
              replica:
                syncTimeoutMs: 5
            """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.replica.syncTimeoutMs must be greater than or equal to 100");
    }

    @Test
    void shouldNudgeClientsByDefaultAndNotWhenToldNot() throws Exception {
        assertThat(load("").getNode().getTakeover().isNudgeClients()).isTrue();
        final String yaml = NODE.formatted("").replace("  takeover:\n", "  takeover:\n    nudgeClients: false\n");
        assertThat(loadYaml(yaml).getNode().getTakeover().isNudgeClients()).isFalse();
        assertThatThrownBy(() ->
                        loadYaml(NODE.formatted("").replace("  takeover:\n", "  takeover:\n    nudgeClients: maybe\n")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("nudgeClients");
    }

    @Test
    void shouldListTheModesWhenTakeoverModeIsUnknown() {
        final String yaml = NODE.formatted("").replace("  takeover:\n", "  takeover:\n    mode: sideways\n");
        assertThatThrownBy(() -> loadYaml(yaml))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.takeover.mode")
                .hasMessageContaining("sideways");
    }

    @Test
    void shouldDefaultToTheLagBoundAndTheFastHeartbeatAndRefuseASilenceShorterThanTwoBeats() throws Exception {
        final NodeSettings node = load("").getNode();
        assertThat(node.getLog().getMaxLagMs()).isEqualTo(50);
        assertThat(node.getMembership().isFastHeartbeat()).isTrue();
        assertThat(node.getMembership().getFastIntervalMs()).isEqualTo(20);
        assertThat(node.getMembership().getFastSilentMs()).isEqualTo(100);
        assertThat(node.getTakeover().getProbeTimeoutMs()).isEqualTo(30);
        assertThat(node.getTakeover().getClientsWaitingMs()).isEqualTo(60);
        assertThat(NodeWiring.load(node).fastHeartbeatWiring())
                .as("no pair secret (insecure): off")
                .isEmpty();

        assertThatThrownBy(
                        () -> loadYaml(
                                String.format(NODE, "")
                                        .replace(
                                                "peers: 198.18.0.2:7800,198.18.0.3:7800",
                                                "peers: 198.18.0.2:7800,198.18.0.3:7800\n    fastIntervalMs: 50\n    fastSilentMs: 60")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("fastSilentMs must be at least two fastIntervalMs");
        assertThatThrownBy(() -> load("""
              log:
                maxLagMs: -1
            """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.log.maxLagMs must be greater than or equal to 0");
    }

    @Test
    void shouldRefuseACommitTimeoutOfZero() {
        assertThatThrownBy(() -> load("""
              log:
                commitTimeoutMs: 0
            """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("node.log.commitTimeoutMs must be greater than or equal to 1");
    }

    private UnderstudyConfiguration load(final String logSection) throws IOException, ConfigurationException {
        return loadYaml(NODE.formatted(logSection.stripTrailing()));
    }

    private UnderstudyConfiguration loadYaml(final String yaml) throws IOException, ConfigurationException {
        final Path file = dir.resolve("node-" + System.nanoTime() + ".yml");
        Files.writeString(file, yaml);
        return new YamlConfigurationFactory<>(
                        UnderstudyConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw")
                .build(new File(file.toString()));
    }
}
