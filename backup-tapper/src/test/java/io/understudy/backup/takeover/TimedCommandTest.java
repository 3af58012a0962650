package io.understudy.backup.takeover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The claim command's exit and output come back when it finishes in time; one that hangs is killed and fails. */
class TimedCommandTest {
    @Test
    void shouldReturnTheExitAndOutputWhenTheCommandFinishes() throws Exception {
        final TimedCommand.Outcome outcome = TimedCommand.run(
                List.of("sh", "-c", "echo RTNETLINK answers: File exists >&2; exit 2"), Duration.ofSeconds(5));

        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.output()).contains("File exists");
    }

    @Test
    void shouldGiveTheCommandTheEnvironmentItWasGivenBesideThisProcesssOwn() throws Exception {
        final TimedCommand.Outcome outcome = TimedCommand.run(
                List.of("sh", "-c", "echo \"$UNDERSTUDY_PEER_ADDRESS:$UNDERSTUDY_APP_PORT ${PATH:+has-path}\""),
                java.util.Map.of("UNDERSTUDY_PEER_ADDRESS", "198.18.0.2", "UNDERSTUDY_APP_PORT", "7000"),
                Duration.ofSeconds(5));

        assertThat(outcome.exit()).isZero();
        assertThat(outcome.output().strip()).isEqualTo("198.18.0.2:7000 has-path");
    }

    @Test
    @Timeout(10)
    void shouldLetTheCommandUndoOnSigtermWhenTheCallerGivesUp(@org.junit.jupiter.api.io.TempDir final Path directory)
            throws Exception {
        final Path undone = directory.resolve("undone");
        final java.util.concurrent.CompletableFuture<Throwable> outcome =
                new java.util.concurrent.CompletableFuture<>();
        final Thread caller = new Thread(() -> {
            try {
                TimedCommand.run(
                        List.of("sh", "-c", "trap 'echo undone > " + undone + "; exit 1' TERM; sleep 30 & wait"),
                        Duration.ofSeconds(30));
                outcome.complete(null);
            } catch (final IOException | InterruptedException | RuntimeException ex) {
                outcome.complete(ex);
            }
        });
        caller.start();
        Thread.sleep(500);

        caller.interrupt();

        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(Files.readString(undone).strip()).as("its TERM trap ran").isEqualTo("undone");
    }

    @Test
    @Timeout(5)
    void shouldKillTheCommandAndFailWhenItOutlivesTheTimeout() {
        final long startNs = System.nanoTime();

        assertThatThrownBy(() ->
                        TimedCommand.run(List.of("sh", "-c", "echo started; exec sleep 30"), Duration.ofMillis(300)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("did not finish within 300 ms")
                .hasMessageContaining("started");
        assertThat(Duration.ofNanos(System.nanoTime() - startNs)).isLessThan(Duration.ofSeconds(3));
    }
}
