package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node cut off by DISCARD (a cut link, without closing anything): both sides lose each other through heartbeats
 * and keep running alone; the heartbeat age grows; when the link heals, MERGE3 brings them back into one view.
 */
class PartitionHealsByMergeTest {
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(10);
    private static final Duration MERGE_BOUND = Duration.ofSeconds(30);

    private final Pair pair = new Pair();

    @AfterEach
    void closeNodes() {
        pair.close();
    }

    @Test
    @Timeout(60)
    void shouldLoseEachOtherWhileDiscardingAndMergeBackWhenHealed() throws InterruptedException {
        final Membership a = pair.startA();
        final Membership b = pair.startB();
        Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), Duration.ofSeconds(20), "pair formed");

        final long cutNs = System.nanoTime();
        b.discardAll(true);
        final RecordingListener.PeerEvent lostByA = pair.listenerA.await("lost", "b", DETECTION_BOUND);
        final RecordingListener.PeerEvent lostByB = pair.listenerB.await("lost", "a", DETECTION_BOUND);

        System.out.printf(
                "cut link: a lost b after %d ms (%s), b lost a after %d ms (%s)%n",
                (lostByA.atNs() - cutNs) / 1_000_000,
                lostByA.why(),
                (lostByB.atNs() - cutNs) / 1_000_000,
                lostByB.why());
        assertThat(lostByA.why()).isEqualTo("suspected");
        assertThat(lostByB.why()).isEqualTo("suspected");
        assertThat(a.view().members()).containsExactly("a");
        assertThat(b.view().members()).containsExactly("b");
        assertThat(a.channel().isConnected()).isTrue();
        assertThat(b.channel().isConnected()).isTrue();

        final long ageA = a.millisSincePeerHeard();
        final long ageB = b.millisSincePeerHeard();
        Pair.awaitTrue(
                () -> a.millisSincePeerHeard() >= ageA + 500 && b.millisSincePeerHeard() >= ageB + 500,
                Duration.ofSeconds(5),
                "heartbeat age keeps growing on both sides while cut");
        assertThat(a.millisSincePeerHeard()).isGreaterThan(pair.configA.failureTimeoutMs());
        assertThat(b.millisSincePeerHeard()).isGreaterThan(pair.configB.failureTimeoutMs());

        final long healNs = System.nanoTime();
        b.discardAll(false);
        pair.listenerA.await("joined", "b", MERGE_BOUND);
        pair.listenerB.await("joined", "a", MERGE_BOUND);
        Pair.awaitTrue(() -> a.view().viewId().equals(b.view().viewId()), MERGE_BOUND, "both install the same view");

        System.out.printf(
                "healed link: merged into %s after %d ms%n",
                a.view().viewId(), (System.nanoTime() - healNs) / 1_000_000);
        assertThat(a.view().members()).containsExactlyInAnyOrder("a", "b");
        assertThat(b.view().members()).containsExactlyInAnyOrder("a", "b");
        assertThat(a.view().coordinator()).isEqualTo(b.view().coordinator());
        assertThat(a.millisSincePeerHeard()).isLessThan(pair.configA.failureTimeoutMs());
    }
}
