package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.logger.UnderstudyException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleMachineTest {
    @TempDir
    Path directory;

    @Test
    void shouldMoveTheEpochOnEveryChangeAndKeepItAcrossARestart() {
        final RoleMachine first = RoleMachine.open("a", directory);
        assertThat(first.state()).isEqualTo(RoleMachine.State.STARTING);
        assertThat(first.epoch()).isZero();
        assertThat(first.transition(RoleMachine.State.BACKUP, "started")).isEqualTo(1);
        assertThat(first.transition(RoleMachine.State.TAKING_OVER, "heartbeat lost"))
                .isEqualTo(2);
        assertThat(first.transition(RoleMachine.State.PRIMARY, "took over")).isEqualTo(3);
        assertThat(first.side()).isEqualTo(Role.PRIMARY);
        assertThat(first.history())
                .extracting(RoleMachine.Transition::to)
                .containsExactly(RoleMachine.State.BACKUP, RoleMachine.State.TAKING_OVER, RoleMachine.State.PRIMARY);
        assertThat(first.history().get(1).reason()).isEqualTo("heartbeat lost");

        final RoleMachine again = RoleMachine.open("a", directory);
        assertThat(again.epoch()).isEqualTo(3);
        assertThat(again.transition(RoleMachine.State.BACKUP, "restarted")).isEqualTo(4);
    }

    @Test
    void shouldTakeAnEpochAboveWhatThePeerAnnounced() {
        final RoleMachine machine = RoleMachine.open("b", directory);
        machine.transition(RoleMachine.State.BACKUP, "started");
        machine.peerAnnounced(41);
        machine.peerAnnounced(7); // an older announcement never lowers it
        assertThat(machine.peerEpoch()).isEqualTo(41);
        assertThat(machine.transition(RoleMachine.State.TAKING_OVER, "heartbeat lost"))
                .isEqualTo(42);
    }

    @Test
    void shouldYieldToAHigherEpochAndOnATieToTheIdThatSortsLast() {
        final RoleMachine machine = RoleMachine.open("primary", directory);
        machine.transition(RoleMachine.State.PRIMARY, "started");
        assertThat(machine.yieldsTo(2, "backup")).isTrue();
        assertThat(machine.yieldsTo(0, "backup")).isFalse();
        assertThat(machine.yieldsTo(1, "backup")).isFalse(); // "primary" sorts after "backup": the backup yields
        assertThat(machine.yieldsTo(1, "secondary")).isTrue();
    }

    @Test
    void shouldRefuseAChangeTheMachineDoesNotAllowAndChangeNothing() {
        final RoleMachine machine = RoleMachine.open("a", directory);
        machine.transition(RoleMachine.State.BACKUP, "started");
        assertThatThrownBy(() -> machine.transition(RoleMachine.State.PRIMARY, "skipping TAKING_OVER"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no role change from BACKUP to PRIMARY");
        assertThat(machine.state()).isEqualTo(RoleMachine.State.BACKUP);
        assertThat(machine.epoch()).isEqualTo(1);
    }

    @Test
    void shouldRefuseToStartFromAnUnreadableEpoch() throws Exception {
        Files.writeString(directory.resolve(RoleMachine.FILE), "epoch=seven\n");
        assertThatThrownBy(() -> RoleMachine.open("a", directory))
                .isInstanceOf(UnderstudyException.class)
                .hasMessageContaining("epoch='seven' is not a number")
                .hasMessageContaining(directory.resolve(RoleMachine.FILE).toString());
    }
}
