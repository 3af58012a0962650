package io.understudy.admin.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
 * The app as a real process: found by pid file or by the listener it owns, seen dead at once, and reported with how
 * it ended. The processes are children of the test JVM, which reaps them itself; a pidfd sees their end all the same.
 */
@Timeout(30)
class AppProcessTest {
    private static final InetSocketAddress UNUSED = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
    private static final long WAIT_MS = 5_000;

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void shouldReportSigkillWhenTheAppIsKilled() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        try (AppProcess app = AppProcess.find("n1", pidFileOf(child.pid()), UNUSED)) {
            final CompletableFuture<AppExit> exit = new CompletableFuture<>();
            app.onExit(exit::complete);
            assertThat(app.pid()).isEqualTo(child.pid());
            assertThat(app.isAlive()).isTrue();

            child.destroyForcibly();

            awaitDead(app);
            final AppExit seen = exit.get(WAIT_MS, TimeUnit.MILLISECONDS);
            if (PidFdTest.kernelAtLeast(6, 15)) {
                assertThat(seen)
                        .isEqualTo(new AppExit(
                                child.pid(), -1, 9, "pid " + child.pid() + " killed by signal 9 (SIGKILL)"));
            } else {
                assertThat(seen.description())
                        .as("older kernel, reaped by the JDK")
                        .contains("not visible");
            }
        }
    }

    @Test
    void shouldCallAStoppedAppWithAPendingKillDyingBeforeItsPidFdSaysItExited() throws Exception {
        // A traced-stop would keep the kill pending; a plain SIGSTOP does not (SIGKILL wakes it), so the observable
        // contract is: alive and well -> not dying; killed -> dying from then on, whatever the pidfd says yet.
        child = new ProcessBuilder("sleep", "60").start();
        try (AppProcess app = AppProcess.find("n1", pidFileOf(child.pid()), UNUSED)) {
            assertThat(app.isDying()).as("a sleeping app").isFalse();
            new ProcessBuilder("kill", "-STOP", Long.toString(child.pid()))
                    .start()
                    .waitFor();
            assertThat(app.isDying()).as("a stopped (hung) app is not dying").isFalse();

            child.destroyForcibly();
            child.waitFor(5, TimeUnit.SECONDS);

            assertThat(app.isDying()).as("killed").isTrue();
        }
    }

    @Test
    void shouldSeeTheDeathWhenWatchingWithoutAPidFd() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        try (AppProcess app = AppProcess.polling("n1", child.pid())) {
            final CompletableFuture<AppExit> exit = new CompletableFuture<>();
            app.onExit(exit::complete);
            assertThat(app.isAlive()).isTrue();

            child.destroyForcibly();

            awaitDead(app);
            final AppExit seen = exit.get(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(seen.pid()).isEqualTo(child.pid());
            // Without a pidfd the status comes from /proc only while the process is a zombie: the JDK's reaper and
            // this watch race for it, so either answer is right, and nothing else is.
            assertThat(seen.description())
                    .isIn(
                            "pid " + child.pid() + " ended (its exit status is not visible to this node)",
                            "pid " + child.pid() + " killed by signal 9 (SIGKILL)");
        }
    }

    @Test
    void shouldReportTheExitStatusWhenTheAppExits() throws Exception {
        child = new ProcessBuilder("sh", "-c", "sleep 0.3; exit 3").start();
        try (AppProcess app = AppProcess.find("n1", pidFileOf(child.pid()), UNUSED)) {
            final CompletableFuture<AppExit> exit = new CompletableFuture<>();
            app.onExit(exit::complete);

            final AppExit seen = exit.get(WAIT_MS, TimeUnit.MILLISECONDS);

            assertThat(seen.exitStatus()).isEqualTo(3);
            assertThat(seen.signal()).isZero();
            assertThat(seen.description()).isEqualTo("pid " + child.pid() + " exited with status 3");
            assertThat(app.isAlive()).isFalse();
        }
    }

    @Test
    void shouldReportTheExitStatusWhenTheAppIsAZombieItsParentNeverReaps() throws Exception {
        final Path pidFile = dir.resolve("zombie.pid");
        child = new ProcessBuilder("sh", "-c", "sh -c 'sleep 0.3; exit 5' & echo $! > " + pidFile + "; exec sleep 60")
                .start();
        awaitPidIn(pidFile);
        try (AppProcess app = AppProcess.find("n1", CheckSettings.app(Map.of("pidFile", pidFile.toString())), UNUSED)) {
            final CompletableFuture<AppExit> exit = new CompletableFuture<>();
            app.onExit(exit::complete);

            final AppExit seen = exit.get(WAIT_MS, TimeUnit.MILLISECONDS);

            assertThat(seen.exitStatus()).isEqualTo(5);
            assertThat(ProcStat.state(app.pid()))
                    .as("still a zombie: its parent execs sleep")
                    .isEqualTo('Z');
            assertThat(app.isAlive()).isFalse();
        }
    }

    @Test
    void shouldStopWatchingWhenClosed() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        final CompletableFuture<AppExit> exit = new CompletableFuture<>();
        final AppProcess app = AppProcess.find("n1", pidFileOf(child.pid()), UNUSED);
        app.onExit(exit::complete);

        app.close();

        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("app-watch-n1"));
        assertThat(exit).isNotDone();
        assertThat(app.isAlive()).as("what it last knew").isTrue();
    }

    @Test
    void shouldRefuseASecondExitListener() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        try (AppProcess app = AppProcess.find("n1", pidFileOf(child.pid()), UNUSED)) {
            app.onExit(exit -> {});

            assertThatThrownBy(() -> app.onExit(exit -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("onExit may be called once");
        }
    }

    @Test
    void shouldNameThePidFileWhenItIsMissing() {
        final Path missing = dir.resolve("redis.pid");
        final AppSettings settings = CheckSettings.app(Map.of("pidFile", missing.toString()));

        assertThatThrownBy(() -> AppProcess.find("n1", settings, UNUSED))
                .isInstanceOf(IOException.class)
                .hasMessage("pid file " + missing + " does not exist");
    }

    @Test
    void shouldShowTheContentWhenThePidFileHoldsNoPid() throws IOException {
        final Path garbage = dir.resolve("redis.pid");
        Files.writeString(garbage, "redis\n");
        final AppSettings settings = CheckSettings.app(Map.of("pidFile", garbage.toString()));

        assertThatThrownBy(() -> AppProcess.find("n1", settings, UNUSED))
                .isInstanceOf(IOException.class)
                .hasMessage("pid file " + garbage + " does not hold a pid: 'redis'");
    }

    @Test
    void shouldSayThePidIsNotRunningWhenThePidFileNamesADeadProcess() throws Exception {
        final Process dead = new ProcessBuilder("true").start();
        dead.waitFor(WAIT_MS, TimeUnit.MILLISECONDS);
        dead.onExit().get(WAIT_MS, TimeUnit.MILLISECONDS);
        final AppSettings settings = pidFileOf(dead.pid());

        assertThatThrownBy(() -> AppProcess.find("n1", settings, UNUSED))
                .isInstanceOf(IOException.class)
                .hasMessage("pid " + dead.pid() + " from pid file " + settings.getPidFile() + " is not running");
    }

    @Test
    void shouldFindTheListenerOwnerWhenNeitherPidFileNorUnitIsSet() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                AppProcess app = AppProcess.find(
                        "n1",
                        new AppSettings(),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()))) {
            assertThat(app.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(app.isAlive()).isTrue();
        }
    }

    @Test
    void shouldNameTheAddressWhenNothingListens() throws IOException {
        final InetSocketAddress closed = AppCheckTest.closedPort();

        assertThatThrownBy(() -> AppProcess.find("n1", new AppSettings(), closed))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("nothing listens on 127.0.0.1:" + closed.getPort());
    }

    @Test
    void shouldNameTheUnitWhenSystemdGivesNoPid() {
        final AppSettings settings = CheckSettings.app(Map.of("systemdUnit", "understudy-no-such-app.service"));

        assertThatThrownBy(() -> AppProcess.find("n1", settings, UNUSED))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("systemd unit understudy-no-such-app.service");
    }

    private AppSettings pidFileOf(final long pid) throws IOException {
        final Path file = dir.resolve("app-" + pid + ".pid");
        Files.writeString(file, "  " + pid + "\n");
        return CheckSettings.app(Map.of("pidFile", file.toString()));
    }

    private static void awaitPidIn(final Path file) throws Exception {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!Files.exists(file) || !Files.readString(file).endsWith("\n")) {
            assertThat(System.nanoTime() - deadlineNs)
                    .as("no pid in %s after %d ms", file, WAIT_MS)
                    .isNegative();
            Thread.sleep(5);
        }
    }

    private static void awaitDead(final AppProcess app) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (app.isAlive()) {
            assertThat(System.nanoTime() - deadlineNs)
                    .as("still alive after %d ms", WAIT_MS)
                    .isNegative();
            Thread.sleep(5);
        }
    }
}
