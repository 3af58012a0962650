package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lab itself, as an operator uses it: up is idempotent, status tells the truth, the bridge floods like a hub so
 * the backup overhears client-primary traffic, and down leaves nothing behind.
 */
@Tag("lab")
@Timeout(300)
class LabLifecycleTest {
    @AfterAll
    static void tearDown() {
        Lab.lab(Duration.ofSeconds(60), "down");
    }

    @Test
    void shouldBuildTheLanAndRemoveEverythingOnDown() throws Exception {
        Lab.down();
        Lab.up();
        final Lab.Result again = Lab.up();
        assertThat(again.stdout() + again.stderr()).contains("already up");

        final JsonNode status = new ObjectMapper()
                .readTree(Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "status", "--json"))
                        .stdout());
        assertThat(status.get("up").asBoolean()).isTrue();
        assertThat(status.get("vip").asText()).isEqualTo(Lab.VIP);
        assertThat(status.get("vip_holder").asText()).isEqualTo(Lab.PRIMARY);
        assertThat(status.at("/hosts/client/address").asText()).isEqualTo("198.18.0.1");
        assertThat(status.at("/hosts/primary/address").asText()).isEqualTo("198.18.0.2");
        assertThat(status.at("/hosts/backup/address").asText()).isEqualTo("198.18.0.3");
        assertThat(Lab.leftoverNamespaces())
                .containsExactlyInAnyOrder("ust-lan", "ust-client", "ust-primary", "ust-backup");

        Lab.down();
        assertThat(Lab.leftoverNamespaces()).isEmpty();
        assertThat(Lab.down().exitCode()).as("down twice").isZero();
        final Lab.Result execOnDownLab = Lab.exec(Lab.CLIENT, Duration.ofSeconds(10), "true");
        assertThat(execOnDownLab.exitCode()).isEqualTo(1);
        assertThat(execOnDownLab.stderr()).contains("ops/lab:");
    }

    @Test
    void shouldLetTheBackupOverhearClientToPrimaryTraffic() throws Exception {
        Lab.up();
        final CompletableFuture<Lab.Result> tap = CompletableFuture.supplyAsync(() -> Lab.exec(
                Lab.BACKUP,
                Duration.ofSeconds(30),
                "timeout",
                "15",
                "tcpdump",
                "-i",
                "eth0",
                "-n",
                "-l",
                "-c",
                "2",
                "icmp and src host 198.18.0.1 and dst host " + Lab.VIP));
        // tcpdump needs a moment to open the interface; ping until it has seen two requests or gives up.
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!tap.isDone() && System.nanoTime() < deadlineNs) {
            Lab.exec(Lab.CLIENT, Duration.ofSeconds(10), "ping", "-c", "1", "-W", "1", Lab.VIP);
        }
        final Lab.Result captured = tap.get();

        assertThat(captured.exitCode()).as("%s", captured).isZero();
        assertThat(captured.stdout()).contains("198.18.0.1 > 198.18.0.100: ICMP echo request");
    }

    @Test
    void shouldRefuseWithOneLineWhenNotRoot() throws Exception {
        // A copy anyone can read, so the check does not depend on the permissions of the checkout's folders.
        final Path dir = Files.createTempDirectory(
                "lab-nonroot", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        // The script and the files it sources, laid out as in the repository (ops/lab, ops/lab.d/).
        final Path ops = Files.createDirectories(dir.resolve("ops/lab.d"));
        final Path script = Files.copy(Lab.REPO.resolve("ops/lab"), dir.resolve("ops/lab"));
        final List<Path> sourced;
        try (var files = Files.list(Lab.REPO.resolve("ops/lab.d"))) {
            sourced = files.toList();
        }
        for (final Path file : sourced) {
            Files.copy(file, ops.resolve(file.getFileName()));
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Lab.Result result = Lab.run(
                Duration.ofSeconds(20),
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", script.toString(), "up"));
        try (var all = Files.walk(dir)) {
            for (final Path path :
                    all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr().strip()).startsWith("ops/lab: needs root").doesNotContain("\n");
    }
}
