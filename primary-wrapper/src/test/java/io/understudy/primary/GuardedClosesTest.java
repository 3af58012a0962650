package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Closes held for a refusing close guard, on a hand-moved clock: when they are asked for again and when they go. */
class GuardedClosesTest {
    private static final long START_NS = 1_000_000_000L;
    private static final InetSocketAddress CLIENT = new InetSocketAddress("198.18.0.7", 40_001);
    private static final InetSocketAddress SERVICE = new InetSocketAddress("198.18.10.100", 7070);

    private final RelayCounters counters = new RelayCounters();
    private final AtomicInteger closed = new AtomicInteger();
    private final SocketChannel channel = openUnconnected();

    @AfterEach
    void tearDown() throws IOException {
        channel.close();
    }

    private static SocketChannel openUnconnected() {
        try {
            return SocketChannel.open();
        } catch (final IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private boolean tryClose(final GuardedCloses closes, final long nowNs) {
        return closes.tryAuthorize(channel, CLIENT, SERVICE, closed::incrementAndGet, nowNs);
    }

    @Test
    void shouldLetTheCallerCloseAtOnceWhenTheGuardAuthorizes() {
        final FailingCloseGuard guard = new FailingCloseGuard(0);
        final GuardedCloses closes = new GuardedCloses("test", guard, counters);

        assertThat(tryClose(closes, START_NS)).isTrue();

        assertThat(closes.isEmpty()).isTrue();
        assertThat(closed).as("the caller closes, not the queue").hasValue(0);
        assertThat(guard.asked()).containsExactly("40001 -> 7070");
        assertThat(counters.snapshot().closesHeldForGuard()).isZero();
    }

    @Test
    void shouldCloseOnALaterTurnWhenTheGuardAuthorizesAtTheLastAttempt() {
        final FailingCloseGuard guard = new FailingCloseGuard(GuardedCloses.MAX_ATTEMPTS - 1);
        final GuardedCloses closes = new GuardedCloses("test", guard, counters);

        assertThat(tryClose(closes, START_NS)).isFalse();
        assertThat(counters.snapshot().closesHeldForGuard()).isEqualTo(1);
        assertThat(closes.doWork(START_NS + GuardedCloses.RETRY_DELAY_NS - 1))
                .as("not due yet")
                .isZero();
        assertThat(guard.asked()).hasSize(1);
        assertThat(closes.doWork(START_NS + GuardedCloses.RETRY_DELAY_NS)).isZero();
        assertThat(closed).hasValue(0);

        assertThat(closes.doWork(START_NS + 2 * GuardedCloses.RETRY_DELAY_NS)).isEqualTo(1);

        assertThat(closed).hasValue(1);
        assertThat(guard.asked()).hasSize(GuardedCloses.MAX_ATTEMPTS).containsOnly("40001 -> 7070");
        assertThat(counters.snapshot().guardFailures()).isZero();
        assertThat(counters.snapshot().closesHeldForGuard()).isZero();
        assertThat(closes.isEmpty()).isTrue();
    }

    @Test
    void shouldCloseAnywayAndCountAFailureWhenTheGuardAlwaysRefuses() {
        final FailingCloseGuard guard = new FailingCloseGuard(FailingCloseGuard.ALWAYS);
        final GuardedCloses closes = new GuardedCloses("test", guard, counters);

        assertThat(tryClose(closes, START_NS)).isFalse();
        long nowNs = START_NS;
        for (int attempt = 2; attempt <= GuardedCloses.MAX_ATTEMPTS; attempt++) {
            assertThat(closed).as("closed before attempt %d", attempt).hasValue(0);
            nowNs += GuardedCloses.RETRY_DELAY_NS;
            closes.doWork(nowNs);
        }

        assertThat(closed).hasValue(1);
        assertThat(counters.snapshot().guardFailures()).isEqualTo(1);
        assertThat(counters.snapshot().closesHeldForGuard()).isZero();
        assertThat(closes.doWork(nowNs + GuardedCloses.RETRY_DELAY_NS)).isZero();
        assertThat(guard.asked()).as("not asked after giving up").hasSize(GuardedCloses.MAX_ATTEMPTS);
    }

    @Test
    void shouldWakeTheRelayWhenTheNextRetryIsDue() {
        final GuardedCloses closes =
                new GuardedCloses("test", new FailingCloseGuard(FailingCloseGuard.ALWAYS), counters);
        assertThat(closes.idleTimeoutMs(100, START_NS)).as("nothing held").isEqualTo(100);

        tryClose(closes, START_NS);

        final long delayMs = TimeUnit.NANOSECONDS.toMillis(GuardedCloses.RETRY_DELAY_NS);
        assertThat(closes.idleTimeoutMs(100, START_NS)).isBetween(delayMs, delayMs + 1);
        assertThat(closes.idleTimeoutMs(100, START_NS + GuardedCloses.RETRY_DELAY_NS))
                .isEqualTo(1);
        assertThat(closes.idleTimeoutMs(2, START_NS))
                .as("a shorter wait asked for stays")
                .isEqualTo(2);
    }

    @Test
    void shouldCloseEveryHeldCloseWhenTheRelayStops() {
        final GuardedCloses closes =
                new GuardedCloses("test", new FailingCloseGuard(FailingCloseGuard.ALWAYS), counters);
        tryClose(closes, START_NS);
        tryClose(closes, START_NS);

        closes.closeAll();

        assertThat(closed).hasValue(2);
        assertThat(closes.isEmpty()).isTrue();
        assertThat(counters.snapshot().guardFailures()).isEqualTo(2);
        assertThat(counters.snapshot().closesHeldForGuard()).isZero();
    }

    @Test
    void shouldDropHeldClosesAndCloseTheirClientsSilentlyWhenTheRelayIsAbandoned() {
        final GuardedCloses closes =
                new GuardedCloses("test", new FailingCloseGuard(FailingCloseGuard.ALWAYS), counters);
        tryClose(closes, START_NS);
        final AtomicInteger silentlyClosed = new AtomicInteger();

        assertThat(closes.abandonAll(client -> {
                    silentlyClosed.incrementAndGet();
                    client.close();
                }))
                .isEqualTo(1);

        assertThat(silentlyClosed).hasValue(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed).as("no FIN or RST at a handover").hasValue(0);
        assertThat(counters.snapshot().closesHeldForGuard()).isZero();
        assertThat(closes.doWork(START_NS + GuardedCloses.RETRY_DELAY_NS)).isZero();
    }
}
