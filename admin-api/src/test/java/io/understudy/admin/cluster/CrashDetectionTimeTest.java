package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How long the survivor takes to see a crashed peer, over five crashes (alternately the coordinator and the other
 * node). The crash is simulated in-JVM ({@link Pair#crash}): DISCARD both ways, then the stack stopped without
 * leaving, which closes the sockets as the kernel would. Prints median and max; asserts only a loose upper bound.
 */
class CrashDetectionTimeTest {
    private static final int RUNS = 5;
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(10);

    private Pair pair;

    @AfterEach
    void closeNodes() {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    @Timeout(60)
    void shouldSeeCrashedPeerSuspectedWhenItDiesWithoutLeaving() throws InterruptedException {
        final List<Long> detectionMs = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            pair = new Pair();
            final Membership a = pair.startA();
            final Membership b = pair.startB();
            Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), Duration.ofSeconds(20), "pair formed");

            final boolean crashCoordinator = run % 2 == 0;
            final Membership victim = a.view().coordinator().equals("a") == crashCoordinator ? a : b;
            final Membership survivor = victim == a ? b : a;
            final RecordingListener survivorEvents = survivor == a ? pair.listenerA : pair.listenerB;
            final String victimId = victim == a ? "a" : "b";

            final long crashNs = System.nanoTime();
            pair.crash(victim);
            final RecordingListener.PeerEvent lost = survivorEvents.await("lost", victimId, DETECTION_BOUND);

            final long ms = (lost.atNs() - crashNs) / 1_000_000;
            detectionMs.add(ms);
            System.out.printf(
                    "run %d: crashed %s (%s), survivor saw it %s after %d ms%n",
                    run, victimId, crashCoordinator ? "coordinator" : "not coordinator", lost.why(), ms);
            assertThat(lost.why()).isEqualTo("suspected");
            assertThat(survivor.isPeerPresent()).isFalse();
            pair.close();
        }

        final List<Long> sorted = detectionMs.stream().sorted().toList();
        System.out.printf(
                "crash detection over %d runs: median %d ms, max %d ms, all %s%n",
                RUNS, sorted.get(RUNS / 2), sorted.get(RUNS - 1), detectionMs);
        assertThat(sorted.get(RUNS - 1)).isLessThan(DETECTION_BOUND.toMillis());
    }
}
