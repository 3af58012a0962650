package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.logger.UnderstudyException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jgroups.logging.LogFactory;
import org.jgroups.stack.DiagnosticsHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real JGroups channels in this JVM on 127.0.0.1: forming a view, a clean leave, a late joiner, the heartbeat
 * age, and the transport's diagnostics staying off.
 */
class PairMembershipTest {
    private static final Duration VIEW_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(10);

    private final Pair pair = new Pair();

    @AfterEach
    void closeNodes() {
        pair.close();
    }

    @Test
    @Timeout(60)
    void shouldFormOneViewWithBothPresentWhenTwoNodesStart() {
        final Membership a = pair.startA();
        final Membership b = pair.startB();

        Pair.awaitTrue(
                () -> a.view().members().size() == 2 && b.view().members().size() == 2,
                VIEW_TIMEOUT,
                "both nodes see a view of two");

        assertThat(a.view().members()).containsExactlyInAnyOrder("a", "b");
        assertThat(b.view().viewId()).isEqualTo(a.view().viewId());
        assertThat(b.view().coordinator()).isEqualTo(a.view().coordinator()).isIn("a", "b");
        assertThat(a.isPeerPresent()).isTrue();
        assertThat(b.isPeerPresent()).isTrue();
        assertThat(a.view().members().get(0)).isEqualTo(a.view().coordinator());
    }

    @Test
    @Timeout(60)
    void shouldSeePeerLeftWhenPeerClosesCleanly() throws InterruptedException {
        final Membership a = pair.startA();
        final Membership b = pair.startB();
        Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), VIEW_TIMEOUT, "pair formed");

        final long closedNs = System.nanoTime();
        b.close();
        final RecordingListener.PeerEvent lost = pair.listenerA.await("lost", "b", DETECTION_BOUND);

        System.out.printf(
                "clean leave of b seen by a after %d ms (why=%s)%n", (lost.atNs() - closedNs) / 1_000_000, lost.why());
        assertThat(lost.why()).isEqualTo("left");
        assertThat(a.isPeerPresent()).isFalse();
        assertThat(a.view().members()).containsExactly("a");
        b.close(); // a second close does nothing
    }

    @Test
    @Timeout(60)
    void shouldFormSingletonViewAndLaterSeePeerJoinWhenStartedAlone() throws InterruptedException {
        final Membership a = pair.startA();

        assertThat(a.view().members()).containsExactly("a");
        assertThat(a.view().coordinator()).isEqualTo("a");
        assertThat(a.isPeerPresent()).isFalse();
        assertThat(a.millisSincePeerHeard()).isEqualTo(-1);

        final Membership b = pair.startB();
        pair.listenerA.await("joined", "b", VIEW_TIMEOUT);

        assertThat(a.isPeerPresent()).isTrue();
        assertThat(a.view().members()).containsExactly("a", "b");
        assertThat(b.view().coordinator()).isEqualTo("a");
    }

    @Test
    @Timeout(60)
    void shouldKeepHeartbeatAgeBelowFailureTimeoutWhenHealthy() {
        final Membership a = pair.startA();
        final Membership b = pair.startB();
        Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), VIEW_TIMEOUT, "pair formed");

        final List<Long> ages = new ArrayList<>();
        final long endNs = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() - endNs < 0) {
            ages.add(a.millisSincePeerHeard());
            ages.add(b.millisSincePeerHeard());
            LockSupport.parkNanos(20_000_000);
        }

        System.out.printf(
                "healthy heartbeat age over 3 s: max %d ms (%d samples)%n",
                ages.stream().mapToLong(Long::longValue).max().orElse(-1), ages.size());
        assertThat(ages).allSatisfy(age -> assertThat(age).isBetween(0L, pair.configA.failureTimeoutMs() - 1));
    }

    @Test
    @Timeout(60)
    void shouldKeepDiagnosticsOffWhenRunning() {
        final Membership a = pair.startA();

        final DiagnosticsHandler diagnostics = a.stack().transport().getDiagnosticsHandler();
        assertThat(diagnostics.isEnabled()).isFalse();
        assertThat(diagnostics.udpEnabled()).isFalse();
        assertThat(diagnostics.tcpEnabled()).isFalse();
        assertThat(diagnostics.isRunning()).isFalse();
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .noneMatch(name -> name.contains("DiagHandler"));
    }

    @Test
    @Timeout(60)
    void shouldFailWithAddressInMessageWhenPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(pair.configA.bindPort(), 1, InetAddress.getByName(Pair.LOOPBACK))) {
            assertThatThrownBy(pair::startA)
                    .isInstanceOf(UnderstudyException.class)
                    .hasMessageContaining("nodeId=a")
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    @Timeout(60)
    void shouldStillReportPeerJoinedWhenListenerThrowsOnViewChange() throws InterruptedException {
        final RecordingListener joins = new RecordingListener();
        final MembershipListener throwing = new MembershipListener() {
            @Override
            public void onViewChanged(final MembershipView view) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onPeerJoined(final String peerId) {
                joins.onPeerJoined(peerId);
            }
        };
        try (Membership a = Membership.start(pair.configA, throwing)) {
            pair.startB();

            joins.await("joined", "b", VIEW_TIMEOUT);
            assertThat(a.isPeerPresent()).isTrue();
        }
    }

    @Test
    void shouldLogJGroupsThroughSlf4jWhenSlf4jIsOnClasspath() {
        assertThat(LogFactory.loggerType()).isEqualTo("slf4j");
    }
}
