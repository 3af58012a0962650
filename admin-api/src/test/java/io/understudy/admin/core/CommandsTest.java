package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The operator's commands: their output back, stripped; a failure or a hang named, with the command and its output. */
class CommandsTest {
    @Test
    void shouldReturnTheOutputStripped() throws Exception {
        assertThat(Commands.run(List.of("sh", "-c", "echo ' claimed '; echo done >&2"), "claiming"))
                .isEqualTo("claimed \ndone");
    }

    @Test
    void shouldNameTheCommandItsExitAndItsOutputWhenItFails() {
        assertThatThrownBy(() -> Commands.run(List.of("sh", "-c", "echo no such address; exit 2"), "releasing"))
                .isInstanceOf(IOException.class)
                .hasMessage("releasing failed: [sh, -c, echo no such address; exit 2] exited 2: no such address");
    }

    @Test
    @Timeout(5)
    void shouldKillAHungCommandAndSaySo() {
        assertThatThrownBy(() -> Commands.run(List.of("sh", "-c", "echo waiting; exec sleep 30"), "restarting", 300))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "restarting failed: [sh, -c, echo waiting; exec sleep 30] did not finish " + "within 300 ms")
                .hasMessageContaining("waiting");
    }

    @Test
    void shouldSayWhatCouldNotStart() {
        assertThatThrownBy(() -> Commands.run(List.of("/nonexistent/claim-vip"), "claiming"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("claiming failed: ")
                .hasMessageContaining("/nonexistent/claim-vip");
    }
}
