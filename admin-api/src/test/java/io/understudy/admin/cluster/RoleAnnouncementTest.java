package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The heartbeat carries each node's role and epoch: two real channels on 127.0.0.1 hear each other's announcements,
 * a new epoch within an interval; a stranger with the pair's key, announcing PRIMARY at a huge epoch, is not heard.
 */
class RoleAnnouncementTest {
    private final Pair pair = new Pair();

    @AfterEach
    void closeNodes() {
        pair.close();
    }

    @Test
    @Timeout(60)
    void shouldHearThePeersRoleAndEachNewEpochButNeverAStrangers() throws Exception {
        final Membership a = pair.startA();
        final Membership b = pair.startB();
        Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), Duration.ofSeconds(20), "a view of two");
        final AtomicLong epochA = new AtomicLong(3);
        a.announce(() -> new Announcement("PRIMARY", epochA.get()));
        b.announce(() -> new Announcement("BACKUP", 2));

        assertThat(awaitState(pair.listenerB, "a PRIMARY 3")).isTrue();
        assertThat(awaitState(pair.listenerA, "b BACKUP 2")).isTrue();

        epochA.set(4);
        a.announceNow();
        assertThat(awaitState(pair.listenerB, "a PRIMARY 4")).isTrue();

        final RecordingListener strangerListener = new RecordingListener();
        final Membership stranger = pair.start(pair.strangerConfig("mallory", pair.key), strangerListener);
        Pair.awaitTrue(
                () -> a.view().members().contains("mallory"),
                Duration.ofSeconds(20),
                "the stranger (with the pair's key) in the view");
        stranger.announce(() -> new Announcement("PRIMARY", 1_000_000));
        TimeUnit.SECONDS.sleep(1);
        assertThat(pair.listenerA.states).noneMatch(state -> state.startsWith("mallory"));
        assertThat(pair.listenerB.states).noneMatch(state -> state.startsWith("mallory"));
    }

    private static boolean awaitState(final RecordingListener listener, final String expected)
            throws InterruptedException {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadlineNs) {
            final String state = listener.states.poll(100, TimeUnit.MILLISECONDS);
            if (expected.equals(state)) {
                return true;
            }
        }
        return false;
    }
}
