package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.jgroups.JChannel;
import org.jgroups.protocols.AUTH;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A pair with the secret, and a third JGroups node on the same loopback, cluster name and peer list: without the
 * secret (plain, or another key) it never gets into the pair's view and changes nothing, not even how fast a crash is
 * seen; with the encryption key but a wrong AUTH token its join is refused; with the secret but not at a configured
 * peer address it gets in, and is reported as a stranger, never as the peer.
 */
class StrangersAreKeptOutTest {
    private static final Duration VIEW_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(10);
    /** Longer than MERGE3's max interval and the join timeout: a stranger let in would be in by then. */
    private static final Duration WATCH = Duration.ofSeconds(5);

    private final Pair pair = new Pair();
    private final ListAppender<ILoggingEvent> viewLog = new ListAppender<>();

    @AfterEach
    void closeNodes() {
        ((Logger) LoggerFactory.getLogger(ViewAdapter.class)).detachAppender(viewLog);
        pair.close();
    }

    @Test
    @Timeout(60)
    void shouldSeeEachOtherAsPeerOverAuthenticatedEncryptedStackWhenBothHaveTheSecret() {
        final Membership a = pair.startA();
        final Membership b = pair.startB();

        Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), VIEW_TIMEOUT, "pair formed");

        assertThat(a.view().members()).containsExactlyInAnyOrder("a", "b");
        assertThat(a.strangers()).isEmpty();
        assertThat(b.strangers()).isEmpty();
        assertThat(a.millisSincePeerHeard()).isBetween(0L, pair.configA.failureTimeoutMs());
        assertThat(a.channel().getProtocolStack().getProtocols())
                .extracting(protocol -> protocol.getClass().getSimpleName())
                .containsSubsequence("GMS", "AUTH", "NAKACK2", "LastHeardTracker", "SERIALIZE", "SYM_ENCRYPT", "TCP");
    }

    @Test
    @Timeout(90)
    void shouldKeepStrangerOutAndStillDetectCrashWhenStrangerHasNoSecret() throws InterruptedException {
        assertKeptOutAndCrashStillDetected(null, "no secret, no encryption");
    }

    @Test
    @Timeout(90)
    void shouldKeepStrangerOutAndStillDetectCrashWhenStrangerHasWrongSecret() throws InterruptedException {
        assertKeptOutAndCrashStillDetected(Pair.randomKey(), "wrong secret");
    }

    @Test
    @Timeout(60)
    void shouldRefuseJoinWhenStrangerCanEncryptButItsAuthTokenIsWrong() throws Exception {
        final Membership a = pair.startA();
        final Membership b = pair.startB();
        Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), VIEW_TIMEOUT, "pair formed");
        final String viewId = a.view().viewId();
        final MembershipStack stack = MembershipStack.build(pair.strangerConfig("x", pair.key));
        final AUTH auth = (AUTH) stack.protocols().stream()
                .filter(AUTH.class::isInstance)
                .findFirst()
                .orElseThrow();
        final PairAuthToken wrongToken = new PairAuthToken("x", Pair.randomKey());
        wrongToken.setAuth(auth);
        auth.setAuthToken(wrongToken);

        try (JChannel stranger = new JChannel(stack.protocols())) {
            stack.disableDiagnostics();
            stranger.name("x");
            final Throwable refused = catchThrowable(() -> stranger.connect(pair.clusterName));

            System.out.printf(
                    "stranger with the encryption key but a wrong AUTH token: connect %s%n",
                    refused == null ? "returned alone in " + stranger.getView() : "refused: " + refused);
            Pair.assertDuring(
                    () -> unaffected(a, viewId) && unaffected(b, viewId),
                    WATCH,
                    "the pair's view, peer and heartbeat stay as they were while x (wrong AUTH token) tries to get in");
            assertThat(stranger.getView() == null
                            || !stranger.getView().containsMember(a.channel().getAddress()))
                    .isTrue();
        }
    }

    @Test
    @Timeout(60)
    void shouldReportStrangerOnceAndNeverCountItAsPeerWhenItHasTheSecretButIsNotConfigured()
            throws InterruptedException {
        captureViewLog();
        final Membership a = pair.startA();
        final MembershipConfig strangerConfig = pair.strangerConfig("c", pair.key);
        pair.start(strangerConfig, new RecordingListener());
        final String stranger = "c@127.0.0.1:" + strangerConfig.bindPort();

        Pair.awaitTrue(() -> a.view().members().contains("c"), VIEW_TIMEOUT, "c (with the secret) joins a's view");
        assertThat(a.strangers()).containsExactly(stranger);
        Pair.assertDuring(
                () -> !a.isPeerPresent() && a.millisSincePeerHeard() == -1,
                Duration.ofSeconds(2),
                "a stranger's heartbeats never make the peer present nor count as heard");

        final Membership b = pair.startB();
        pair.listenerA.await("joined", "b", VIEW_TIMEOUT);
        Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), VIEW_TIMEOUT, "pair formed");

        assertThat(a.view().members()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(a.strangers()).containsExactly(stranger);
        // b joined through a and may not have heard c itself yet: it names c by address once its transport knows it.
        assertThat(b.strangers()).hasSize(1).allSatisfy(name -> assertThat(name).isIn(stranger, "c@unknown address"));
        assertThat(alarms("[a] stranger " + stranger)).hasSize(1);
        assertThat(alarms("[b] stranger c@")).hasSize(1);
    }

    private void assertKeptOutAndCrashStillDetected(final byte[] strangerKey, final String what)
            throws InterruptedException {
        final Membership a = pair.startA();
        final Membership b = pair.startB();
        Pair.awaitTrue(() -> a.isPeerPresent() && b.isPeerPresent(), VIEW_TIMEOUT, "pair formed");
        final String viewId = a.view().viewId();

        final Membership stranger = pair.start(pair.strangerConfig("x", strangerKey), new RecordingListener());

        assertThat(stranger.view().members()).containsExactly("x");
        Pair.assertDuring(
                () -> unaffected(a, viewId) && unaffected(b, viewId),
                WATCH,
                "the pair's view, peer and heartbeat stay as they were while a stranger (" + what + ") tries to join");
        assertThat(stranger.view().members()).containsExactly("x");
        assertThat(stranger.isPeerPresent()).isFalse();

        final long crashNs = System.nanoTime();
        pair.crash(b);
        final RecordingListener.PeerEvent lost = pair.listenerA.await("lost", "b", DETECTION_BOUND);
        System.out.printf(
                "stranger (%s) around: crash of b seen by a after %d ms (%s)%n",
                what, (lost.atNs() - crashNs) / 1_000_000, lost.why());
        assertThat(lost.why()).isEqualTo("suspected");
        assertThat(a.view().members()).containsExactly("a");
        Pair.assertDuring(
                () -> !a.isPeerPresent() && a.view().members().equals(List.of("a")),
                Duration.ofSeconds(2),
                "a alone stays alone: the stranger does not take the crashed peer's place");
        assertThat(a.millisSincePeerHeard()).isGreaterThan(pair.configA.failureTimeoutMs());
    }

    private boolean unaffected(final Membership node, final String viewId) {
        return node.view().viewId().equals(viewId)
                && node.isPeerPresent()
                && node.strangers().isEmpty()
                && node.millisSincePeerHeard() >= 0
                && node.millisSincePeerHeard() < pair.configA.failureTimeoutMs();
    }

    private void captureViewLog() {
        viewLog.start();
        ((Logger) LoggerFactory.getLogger(ViewAdapter.class)).addAppender(viewLog);
    }

    private List<ILoggingEvent> alarms(final String prefix) {
        return viewLog.list.stream()
                .filter(event -> event.getLevel() == Level.ERROR
                        && event.getFormattedMessage().startsWith(prefix))
                .toList();
    }
}
