package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.admin.app.AppSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's gate as the node keeps it, watching a real process named by a pid file: an app close waits the grace
 * while the app lives, is held once the app is dead, and passes again when the node gives up handing over.
 */
@Timeout(30)
class AppSupervisorTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    private Process app;
    private AppSupervisor supervisor;

    @AfterEach
    void tearDown() {
        if (supervisor != null) {
            supervisor.close();
        }
        if (app != null) {
            app.destroyForcibly();
        }
    }

    private AppSupervisor watch(final CompletableFuture<AppSupervisor.AppFailure> failed) throws Exception {
        app = new ProcessBuilder("sleep", "60").start();
        final Path pidFile = dir.resolve("app.pid");
        Files.writeString(pidFile, app.pid() + "\n");
        final AppSettings settings = new ObjectMapper()
                .convertValue(
                        Map.of("pidFile", pidFile.toString(), "closeGraceMs", 40, "check", Map.of("type", "none")),
                        AppSettings.class);
        supervisor = new AppSupervisor("test", settings, new InetSocketAddress("127.0.0.1", 1), failed::complete);
        supervisor.start();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (supervisor.status().pid() != app.pid() && System.nanoTime() < deadlineNs) {
            Thread.sleep(10);
        }
        assertThat(supervisor.status().pid())
                .as("the app found through its pid file")
                .isEqualTo(app.pid());
        return supervisor;
    }

    @Test
    void shouldPassACloseOfALiveAppAfterTheGraceOnly() throws Exception {
        final AppSupervisor gate = watch(new CompletableFuture<>());
        final long sinceNs = System.nanoTime();

        assertThat(gate.mayPass(sinceNs, sinceNs + 10 * MS))
                .as("within the grace")
                .isFalse();
        assertThat(gate.mayPass(sinceNs, sinceNs + 40 * MS))
                .as("after the grace, the app alive")
                .isTrue();
        assertThat(gate.unfitReason()).isEmpty();
        assertThat(gate.status().alive()).isTrue();
    }

    @Test
    void shouldAnswerEveryCloseWhoseGraceEndedWithOneLookAtTheApp() throws Exception {
        final AppSupervisor gate = watch(new CompletableFuture<>());
        final long sinceNs = System.nanoTime();
        final long askedNs = sinceNs + 50 * MS;

        for (int close = 0; close < 2_000; close++) {
            assertThat(gate.mayPass(sinceNs - close * 1_000L, askedNs))
                    .as("close %d, the app alive", close)
                    .isTrue();
        }
        assertThat(gate.looks()).as("2,000 closes held since before one look").isEqualTo(1);

        assertThat(gate.mayPass(sinceNs + 20 * MS, askedNs + 30 * MS))
                .as("a close whose grace ended later")
                .isTrue();
        assertThat(gate.looks())
                .as("a look before its grace ended is no answer for it")
                .isEqualTo(2);
    }

    @Test
    void shouldHoldEveryCloseOnceTheAppIsKilledAndSaySo() throws Exception {
        final CompletableFuture<AppSupervisor.AppFailure> failed = new CompletableFuture<>();
        final AppSupervisor gate = watch(failed);

        app.destroyForcibly();

        final AppSupervisor.AppFailure failure = failed.get(5, TimeUnit.SECONDS);
        assertThat(failure.kind()).isEqualTo("crashed");
        assertThat(failure.description()).contains("pid " + app.pid()).contains("signal 9");
        final long sinceNs = System.nanoTime();
        assertThat(gate.mayPass(sinceNs, sinceNs + 10_000 * MS))
                .as("held for the handover, however long")
                .isFalse();
        assertThat(gate.unfitReason()).hasValueSatisfying(why -> assertThat(why).contains("crashed"));
        assertThat(gate.status().failed()).isEqualTo("crashed");

        gate.passHeldCloses();
        assertThat(gate.mayPass(sinceNs, sinceNs))
                .as("no handover: the closes reach the clients")
                .isTrue();
    }
}
