package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.admin.api.ReplicaSyncStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The sync's runs: retried until one exits 0, said once; stopped (a takeover) with SIGTERM first, never in step. */
@Timeout(30)
class ReplicaSyncTest {
    @TempDir
    Path directory;

    @Test
    void shouldRetryAFailedRunAndSayInStepOnceWhenOneSucceeds() throws Exception {
        final Path runs = directory.resolve("runs");
        final AtomicInteger inStep = new AtomicInteger();
        // Fails twice, then succeeds: each run appends a line.
        final List<String> command = List.of(
                "sh", "-c", "echo run >> " + runs + "; [ $(wc -l < " + runs + ") -ge 3 ] || { echo not yet; exit 4; }");
        try (ReplicaSync sync = new ReplicaSync("test", command, Map.of(), 5_000, 100, inStep::incrementAndGet)) {
            assertThat(sync.status().state()).isEqualTo(ReplicaSyncStatus.SYNCING);
            assertThat(sync.status().inStep()).isFalse();
            sync.start();
            while (!sync.status().inStep()) {
                Thread.sleep(20);
            }
            assertThat(sync.status().state()).isEqualTo(ReplicaSyncStatus.IN_STEP);
            assertThat(sync.status().attempts()).isEqualTo(3);
        }
        assertThat(inStep.get()).isEqualTo(1);
        assertThat(Files.readAllLines(runs)).hasSize(3);
    }

    @Test
    void shouldLetARunUndoOnSigtermWhenStoppedAndNeverSayInStep() throws Exception {
        final Path undone = directory.resolve("undone");
        final Path started = directory.resolve("started");
        final AtomicInteger inStep = new AtomicInteger();
        final ReplicaSync sync = new ReplicaSync(
                        "test",
                        List.of(
                                "sh",
                                "-c",
                                "trap 'echo undone > " + undone + "; exit 1' TERM; touch " + started
                                        + "; sleep 30 & wait"),
                        Map.of(),
                        60_000,
                        100,
                        inStep::incrementAndGet)
                .start();
        while (!Files.exists(started)) {
            Thread.sleep(20);
        }

        sync.close();

        assertThat(Files.readString(undone).strip()).as("its TERM trap ran").isEqualTo("undone");
        assertThat(sync.status().inStep()).isFalse();
        assertThat(inStep.get()).isZero();
    }
}
