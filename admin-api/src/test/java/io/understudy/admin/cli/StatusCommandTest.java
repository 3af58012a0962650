package io.understudy.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.admin.health.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code understudy status} against a real pair in this JVM: both roles at a glance, and what it says of a pair
 * that is not healthy. Both test nodes run on one host, so both hold the service address (127.0.0.1): the command
 * must call that out.
 */
@Timeout(120)
class StatusCommandTest {
    private final TestNode.Ports ports = new TestNode.Ports();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Integer> exits = new ArrayList<>();
    private final StatusCommand command = new StatusCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            exits::add);

    @AfterEach
    void stop() throws Exception {
        ports.close();
    }

    @Test
    void shouldShowBothRolesAndTheirEpochsAndCallOutTwoHoldersOfTheAddress() throws Exception {
        assumeTrue(TestNode.canCapture(), "the backup's tap needs root (CAP_NET_RAW)");
        final TestNode primary = ports.nodeA("primary").start();
        final TestNode backup = ports.nodeB("backup").start();
        awaitMembers(primary);

        run(false, primary.apiUrl(), backup.apiUrl());

        final String text = out.toString(StandardCharsets.UTF_8);
        System.out.println("status:\n" + text);
        assertThat(text)
                .contains("service 127.0.0.1:" + ports.service + ": held by node-a, node-b")
                .containsPattern("node-a +PRIMARY +PRIMARY +\\d+ ")
                .containsPattern("node-b +BACKUP +BACKUP +\\d+ ")
                // No client: the primary relays none but the backup's service probes, which a loaded host can catch
                // open (two were, once, while a lab ran beside).
                .containsPattern("node-a .* relayed [0-2]\\R")
                .contains("protecting 0 of 0 tapped")
                .contains("two holders of the service address: node-a and node-b");
        assertThat(exits).containsExactly(StatusCommand.EXIT_DEGRADED);

        out.reset();
        exits.clear();
        run(true, primary.apiUrl(), backup.apiUrl());
        final JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("healthy").asBoolean()).isFalse();
        assertThat(json.get("nodes")).hasSize(2);
        assertThat(json.get("nodes").get(1).get("status").get("role").asText()).isEqualTo("BACKUP");
        assertThat(json.get("alarms").get(0).asText()).startsWith("two holders");
    }

    @Test
    void shouldSayTheReplicaIsNotInSyncUntilTheSyncCommandSucceedsAndGiveItThePeerAndTheApp() throws Exception {
        assumeTrue(TestNode.canCapture(), "the backup's tap needs root (CAP_NET_RAW)");
        final java.nio.file.Path directory = java.nio.file.Files.createTempDirectory("replica-sync");
        final java.nio.file.Path seen = directory.resolve("seen");
        final java.nio.file.Path ready = directory.resolve("ready");
        final TestNode primary = ports.nodeA("primary").start();
        final TestNode backup = ports.nodeB(
                        "backup",
                        "node.replica.syncCommand",
                        "sh,-c,echo \"$UNDERSTUDY_NODE_ID $UNDERSTUDY_PEER_ADDRESS $UNDERSTUDY_APP_ADDRESS:"
                                + "$UNDERSTUDY_APP_PORT\" >" + seen + "; test -e " + ready
                                + " || { echo the primary app is not reachable; exit 3; }",
                        "node.replica.syncRetryMs",
                        "200")
                .start();
        awaitMembers(primary);

        run(false, primary.apiUrl(), backup.apiUrl());
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("protecting 0 of 0 tapped; replica not in sync")
                .contains("node-b: its replica is not in sync with the primary's app");
        @SuppressWarnings("unchecked")
        final Map<String, Object> failing =
                (Map<String, Object>) backup.status().get("replicaSync");
        assertThat(failing).containsEntry("inStep", false);
        assertThat(String.valueOf(failing.get("lastError")) + failing.get("state"))
                .as("the failed run's exit and output, or a run under way")
                .matches("(exited 3: the primary app is not reachable(SYNCING|FAILED)|nullSYNCING)");
        assertThat(java.nio.file.Files.readString(seen).strip())
                .isEqualTo("node-b 127.0.0.1 127.0.0.1:"
                        + backup.status().get("app").toString().split(":")[1]);

        java.nio.file.Files.writeString(ready, "");
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        Map<?, ?> sync = (Map<?, ?>) backup.status().get("replicaSync");
        while (!Boolean.TRUE.equals(sync.get("inStep"))) {
            assertThat(System.nanoTime()).as("in step after a retry").isLessThan(deadlineNs);
            Thread.sleep(100);
            sync = (Map<?, ?>) backup.status().get("replicaSync");
        }
        assertThat(sync.get("state")).isEqualTo("IN_STEP");
        assertThat((Integer) sync.get("attempts")).isGreaterThan(1);
        out.reset();
        run(false, primary.apiUrl(), backup.apiUrl());
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("protecting 0 of 0 tapped\n")
                .doesNotContain("not in sync");
    }

    @Test
    void shouldSayWhichNodeCannotBeReadAndExitWithThree() throws Exception {
        final TestNode primary =
                ports.nodeA("primary", "node.log.enabled", "false").start();

        run(false, primary.apiUrl(), "http://127.0.0.1:1/");

        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("node-a +PRIMARY")
                .contains("unreachable: cannot reach http://127.0.0.1:1/status")
                .contains("no peer in its heartbeat view");
        assertThat(exits).containsExactly(StatusCommand.EXIT_UNREACHABLE);
    }

    @Test
    void shouldRefuseANodeThatIsNotAUrl() {
        assertThatThrownBy(() -> run(false, "198.18.0.2:8080"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("status: --node must start with http:// or https://");
    }

    private void run(final boolean json, final String... nodes) throws Exception {
        final Map<String, Object> arguments = new HashMap<>();
        arguments.put("node", List.of((Object[]) nodes));
        arguments.put("timeoutS", 5);
        arguments.put("json", json);
        command.run(null, new Namespace(arguments));
    }

    private static void awaitMembers(final TestNode node) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (((List<?>) node.status().get("members")).size() < 2) {
            assertThat(System.nanoTime()).as("both nodes in the view").isLessThan(deadlineNs);
            Thread.sleep(100);
        }
    }
}
