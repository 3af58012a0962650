package io.understudy.admin.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kernel interface itself: pidfd_open by number, poll, and PIDFD_GET_INFO with the struct layout of
 * include/uapi/linux/pidfd.h. The exit status needs Linux 6.15 or later (this project's machines run 6.18).
 */
@Timeout(30)
class PidFdTest {
    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void shouldGiveTheWaitStatusFromTheKernelWhenTheProcessWasKilledAndReaped() throws Exception {
        assumeTrue(kernelAtLeast(6, 15), "PIDFD_INFO_EXIT needs Linux 6.15+, this is " + osVersion());
        child = new ProcessBuilder("sleep", "60").start();
        final long fd = PidFd.open(child.pid());
        assertThat(fd).as("pidfd_open").isNotNegative();
        final PidFd pidFd = PidFd.of(fd);
        try {
            assertThat(pidFd.awaitExit(0)).isFalse();
            assertThat(pidFd.exitWaitStatus())
                    .as("no exit status while it runs")
                    .isEmpty();

            child.destroyForcibly();
            assertThat(child.waitFor(5, TimeUnit.SECONDS))
                    .as("reaped by the JDK")
                    .isTrue();

            assertThat(pidFd.awaitExit(5_000)).isTrue();
            assertThat(pidFd.exitWaitStatus()).isEqualTo(OptionalInt.of(9));
        } finally {
            pidFd.close();
        }
    }

    @Test
    void shouldSayNoSuchProcessWhenThePidIsGone() throws Exception {
        final Process gone = new ProcessBuilder("true").start();
        gone.onExit().get(5, TimeUnit.SECONDS);

        assertThat(PidFd.open(gone.pid())).isEqualTo(-LibC.ESRCH);
    }

    static boolean kernelAtLeast(final int major, final int minor) {
        final String[] parts = osVersion().split("[.-]");
        final int actualMajor = Integer.parseInt(parts[0]);
        final int actualMinor = Integer.parseInt(parts[1]);
        return actualMajor > major || actualMajor == major && actualMinor >= minor;
    }

    private static String osVersion() {
        return System.getProperty("os.version");
    }
}
