package io.understudy.admin.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** wait(2) statuses decoded as WIFEXITED, WIFSIGNALED and WCOREDUMP would, into the line an operator reads. */
class AppExitTest {
    @Test
    void shouldReadTheExitStatusWhenTheAppExited() {
        final AppExit exit = AppExit.fromWaitStatus(1234, 3 << 8);

        assertThat(exit).isEqualTo(new AppExit(1234, 3, 0, "pid 1234 exited with status 3"));
    }

    @Test
    void shouldNameTheSignalWhenTheAppWasKilled() {
        final AppExit exit = AppExit.fromWaitStatus(1234, 9);

        assertThat(exit).isEqualTo(new AppExit(1234, -1, 9, "pid 1234 killed by signal 9 (SIGKILL)"));
    }

    @Test
    void shouldSayCoreDumpedWhenTheCoreDumpFlagIsSet() {
        final AppExit exit = AppExit.fromWaitStatus(77, 0x80 | 11);

        assertThat(exit.signal()).isEqualTo(11);
        assertThat(exit.exitStatus()).isEqualTo(-1);
        assertThat(exit.description()).isEqualTo("pid 77 killed by signal 11 (SIGSEGV) (core dumped)");
    }

    @Test
    void shouldGiveTheBareNumberWhenTheSignalHasNoCommonName() {
        assertThat(AppExit.fromWaitStatus(5, 40).description()).isEqualTo("pid 5 killed by signal 40");
    }

    @Test
    void shouldSayTheStatusIsNotVisibleWhenUnknown() {
        assertThat(AppExit.unknown(9))
                .isEqualTo(new AppExit(9, -1, 0, "pid 9 ended (its exit status is not visible to this node)"));
    }
}
