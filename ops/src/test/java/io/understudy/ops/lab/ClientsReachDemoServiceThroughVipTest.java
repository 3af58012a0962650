package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo service under Understudy in the lab: clients in the client host reach it only through the VIP, via the
 * primary-wrapper, and see every reply right, half-closes and resets included.
 */
@Tag("lab")
@Timeout(300)
class ClientsReachDemoServiceThroughVipTest {
    private static final int SERVICE_PORT = Lab.DEMO_SERVICE_PORT;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @BeforeAll
    static void startDemoService() {
        Lab.startDemoService();
    }

    @Test
    void shouldGetEveryReplyRightWhenTwentyConnectionsLoadTheVip() {
        final JsonNode report = LoadReport.run(SERVICE_PORT, "line", 20, 5);

        assertThat(report.get("protocol").asText()).isEqualTo("line");
        LoadReport.assertEveryReplyRight(report, 20, 5);
    }

    @Test
    void shouldShowBothRolesAndTheServiceAddressToAnOperatorOnTheLan() {
        // As an operator runs it from another host on the LAN: one node's URL; the peer is found through it.
        final Lab.Result status = Lab.exec(
                Lab.CLIENT,
                java.time.Duration.ofSeconds(60),
                Lab.REPO.resolve("ops/understudy").toString(),
                "status",
                "--node",
                "http://198.18.0.2:8080/");

        System.out.println("ops/understudy status:\n" + status.stdout() + status.stderr());
        assertThat(status.stdout())
                .startsWith("service " + Lab.VIP + ":" + SERVICE_PORT + ": held by primary; healthy")
                .containsPattern("primary +PRIMARY +PRIMARY ")
                .containsPattern("backup +BACKUP +BACKUP ")
                .contains("alarms: none");
        assertThat(status.exitCode()).as("a healthy pair").isZero();
    }

    @Test
    void shouldShowBothRolesOnThePageInARealBrowser() throws Exception {
        // Debian's chromium, headless, from the client host: the page as a browser draws it, once its script ran.
        final java.nio.file.Path profile = java.nio.file.Files.createTempDirectory("understudy-chromium");
        final Lab.Result dom;
        try {
            dom = Lab.exec(
                    Lab.CLIENT,
                    java.time.Duration.ofSeconds(90),
                    "chromium",
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile,
                    "--virtual-time-budget=5000",
                    "--dump-dom",
                    "http://198.18.0.3:8080/");
        } finally {
            Lab.run(java.time.Duration.ofSeconds(10), java.util.List.of("rm", "-rf", "--", profile.toString()));
        }

        assertThat(dom.stdout())
                .as("the DOM chromium drew (%s)", dom.stderr())
                .contains("<title>Understudy pair</title>")
                .contains("service " + Lab.VIP + ":" + SERVICE_PORT + ": held by primary; healthy")
                .containsPattern("<td>primary</td><td class=\"role\">PRIMARY</td>")
                .containsPattern("<td>backup</td><td class=\"role\">BACKUP</td>");
    }

    @Test
    void shouldDeliverEveryReplyThenEndWhenClientHalfCloses() {
        final Lab.Result result = Lab.probe(Lab.CLIENT, "halfclose", Lab.VIP, String.valueOf(SERVICE_PORT));

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout()).matches("(?s)1 (\\d+)\n2 (\\d+)\n3 (\\d+)\nEND eof\n");
        final String[] lines = result.stdout().split("\n");
        final long first = Long.parseLong(lines[0].split(" ")[1]);
        assertThat(lines[1]).isEqualTo("2 " + (first + 1));
        assertThat(lines[2]).isEqualTo("3 " + (first + 1));
    }

    @Test
    void shouldResetClientWhenAppResets() {
        final Lab.Result result = Lab.probe(Lab.CLIENT, "app-reset", Lab.VIP, String.valueOf(SERVICE_PORT));

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout()).isEqualTo("END reset\n");
    }

    @Test
    void shouldResetAppWhenClientResets() {
        final Lab.Result result = Lab.probe(Lab.CLIENT, "client-reset", Lab.VIP, String.valueOf(SERVICE_PORT));

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout()).matches("(?s)1 1\n\\d+ connections=\\d+ accepted=\\d+ resets=1\nEND eof\n");
    }

    @Test
    void shouldTrackEveryConnectionOnTheBackupWhenClientsUseTheVip() {
        final JsonNode before = Lab.api(Lab.BACKUP, "/status").get("tap");

        LoadReport.assertEveryReplyRight(LoadReport.run(SERVICE_PORT, "line", 10, 2), 10, 2);

        final JsonNode after = Lab.api(Lab.BACKUP, "/status").get("tap");
        assertThat(after.get("running").asBoolean()).isTrue();
        assertThat(after.get("connectionsOpened").asLong()
                        - before.get("connectionsOpened").asLong())
                .as("connections the backup saw open")
                .isEqualTo(10);
        assertThat(after.get("connectionsMidStream").asLong()).isZero();
        assertThat(after.get("frames").asLong() - before.get("frames").asLong())
                .as("frames captured")
                .isEqualTo(
                        after.get("segments").asLong() - before.get("segments").asLong())
                .isGreaterThan(10 * 2 * 100L);
        assertThat(after.get("skipped").size())
                .as("frames skipped: %s", after.get("skipped"))
                .isZero();
        assertThat(after.get("kernelDrops").asLong() - before.get("kernelDrops").asLong())
                .as("kernel drops")
                .isZero();
        assertThat(after.get("logFailures").asLong()).isZero();
        assertThat(after.get("logRecords").asLong())
                .isGreaterThan(before.get("logRecords").asLong());
        assertThat(after.get("errors").asLong()).isZero();
    }

    @Test
    void shouldRecordEveryByteOfEveryStreamInTheBackupsEventLog() throws Exception {
        LoadReport.assertEveryReplyRight(LoadReport.run(SERVICE_PORT, "line", 5, 2), 5, 2);

        final Map<Long, TappedStreams> connections =
                TappedStreams.readAll(Path.of("/run/understudy-lab", Lab.PREFIX, "events-backup"));
        final List<TappedStreams> loadgenConnections = connections.values().stream()
                .filter(streams -> streams.client().startsWith("INCR lg-"))
                .toList();
        assertThat(loadgenConnections).as("loadgen connections in the log").hasSizeGreaterThanOrEqualTo(5);
        for (final TappedStreams streams : loadgenConnections) {
            streams.assertRequestsAndRepliesMatch();
        }
    }
}
