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
 * A node that returns after a crash starts with a fresh app: {@code replica.syncCommand} (here {@code understudy-ops
 * demo-sync}) copies the serving node's demo service store into it before it protects anything, and says so in its
 * status until then. Clients that then reuse keys written before the crash are protected by it from their first
 * request, and keep every reply right through a crash of the node that served them.
 *
 * <p>Without the sync the returned node's demo service would answer their first INCR with 1 where the primary's
 * answers with the value before the crash plus one: a divergence, each connection unprotected and reset at the
 * crash.
 */
@Tag("lab")
@Timeout(400)
class ReturningBackupSyncsItsAppTest {
    private static final String KEYS = "synced-";
    private static final int CONNECTIONS = 20;
    private static final int DURATION_S = 25;
    private static final long CRASH_AFTER_MS = 8_000;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldProtectClientsOfStateWrittenBeforeACrashOnceTheReturnedNodesAppIsSynced() throws Exception {
        // The demo service listens on the host's LAN address too: the returning node's sync reads the serving one.
        run(
                "java -Xmx128m -jar " + Lab.OPS_JAR + " demo-service --port " + Lab.DEMO_APP_PORT + " --bind 0.0.0.0",
                Lab.DEMO_APP_PORT,
                Lab.DEMO_SERVICE_PORT,
                Lab.DEMO_CHECK,
                "java -Xmx64m -jar " + Lab.OPS_JAR + " demo-sync",
                "line");
    }

    /**
     * Starts the lab with {@code app} and {@code sync} as the nodes' replica.syncCommand; writes state, crashes and
     * heals the primary, waits for the returned node's sync, then runs clients of that state through a crash of the
     * serving host: every reply right, every connection protected and restored.
     */
    static void run(
            final String app,
            final int appPort,
            final int servicePort,
            final String[] check,
            final String sync,
            final String protocol)
            throws Exception {
        final java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(check));
        args.addAll(java.util.List.of("--replica-sync", sync));
        Lab.start(app, appPort, servicePort, args.toArray(String[]::new));
        awaitInStep(Lab.BACKUP);

        // State written before the crash: each key counted up to a few hundred.
        final JsonNode before = loadgen(servicePort, protocol, 10, 4);
        System.out.println("sync: before the crash " + before);
        assertThat(before.get("connections_ok").asInt()).isEqualTo(10);

        Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "host-crash"));
        awaitRole(Lab.BACKUP, "PRIMARY");
        Lab.expectOk(Lab.lab(Duration.ofSeconds(120), "heal"));
        final JsonNode returned = Lab.api(Lab.PRIMARY, "/status");
        System.out.println("sync: the returned node " + returned.path("replicaSync"));
        assertThat(returned.get("role").asText()).isEqualTo("BACKUP");
        assertThat(returned.path("replicaSync").isObject())
                .as("the returned node reports its sync: %s", returned)
                .isTrue();
        final JsonNode synced = awaitInStep(Lab.PRIMARY);
        System.out.println("sync: in step " + synced);

        final long loadStartNs = System.nanoTime();
        final CompletableFuture<JsonNode> load =
                CompletableFuture.supplyAsync(() -> loadgen(servicePort, protocol, CONNECTIONS, DURATION_S));
        Thread.sleep(CRASH_AFTER_MS);
        final JsonNode protecting = Lab.api(Lab.PRIMARY, "/status");
        System.out.println("sync: before the second crash " + protecting);
        assertThat(protecting.get("protectedConnections").asInt())
                .as("the returned node protects the clients of the keys it copied: %s", protecting)
                .isEqualTo(CONNECTIONS);
        assertThat(protecting.get("unprotectedConnections").asInt()).isZero();
        assertThat(protecting.get("tap").path("divergences").asLong())
                .as("its replicas answer as the primary's app: %s", protecting.get("tap"))
                .isZero();
        assertThat(System.nanoTime() - loadStartNs).isLessThan((DURATION_S - 6) * 1_000_000_000L);

        Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "host-crash"));
        final JsonNode report = load.get();
        System.out.println("sync: loadgen " + report);
        LoadReport.assertEveryReplyRight(report, CONNECTIONS, DURATION_S);
        final JsonNode failover = FailoverDrill.assertTookOverEveryConnection(Lab.PRIMARY);
        assertThat(failover.get("notRestored").size())
                .as("not restored: %s", failover.get("notRestored"))
                .isZero();
    }

    /** loadgen from the client host on the keys synced-0.., a request every 10 ms each; its JSON report. */
    private static JsonNode loadgen(
            final int servicePort, final String protocol, final int connections, final int durationS) {
        return LoadReport.run(servicePort, protocol, connections, 10, durationS, null, KEYS, false);
    }

    /** Waits until the host's node says its app is in step with the primary's; its replicaSync. */
    private static JsonNode awaitInStep(final String host) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        JsonNode status = Lab.api(host, "/status");
        while (!status.path("replicaSync").path("inStep").asBoolean()) {
            assertThat(System.nanoTime())
                    .as("%s's app in step within 60 s: %s", host, status.path("replicaSync"))
                    .isLessThan(deadlineNs);
            Thread.sleep(250);
            status = Lab.api(host, "/status");
        }
        return status.get("replicaSync");
    }

    private static void awaitRole(final String host, final String role) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (!role.equals(Lab.api(host, "/status").path("role").asText())) {
            assertThat(System.nanoTime()).as("%s becomes %s", host, role).isLessThan(deadlineNs);
            Thread.sleep(200);
        }
    }
}
