package io.understudy.primary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the {@link CloseGuard} before each close the relay makes on purpose (a FIN or RST to a client), and keeps the
 * closes it refused: each is asked for again on a later relay turn, {@link #RETRY_DELAY_NS} apart, so the relay
 * thread never waits for the guard. After {@link #MAX_ATTEMPTS} refusals the close goes out anyway, counted and
 * logged: a connection the relay never closed would hold its sockets for good, while the client of a dropped FIN or
 * RST at worst waits for its own timeout. Relay thread only.
 */
final class GuardedCloses {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedCloses.class);
    /** Times the guard is asked about one close before it goes out unguarded. */
    static final int MAX_ATTEMPTS = 3;
    /** Between two attempts: long enough for a passing fault (a busy netlink socket) to clear, short for a client. */
    static final long RETRY_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String nodeId;
    private final CloseGuard guard;
    private final RelayCounters counters;
    private final List<Pending> pending = new ArrayList<>();
    private final List<Pending> ready = new ArrayList<>();

    /** A close the guard has refused so far: what to ask for again, and what to run once asked enough. */
    private static final class Pending {
        private final SocketChannel channel;
        private final InetSocketAddress client;
        private final InetSocketAddress service;
        private final Runnable close;
        private int attempts = 1;
        private long retryAtNs;

        private Pending(
                final SocketChannel channel,
                final InetSocketAddress client,
                final InetSocketAddress service,
                final Runnable close,
                final long retryAtNs) {
            this.channel = channel;
            this.client = client;
            this.service = service;
            this.close = close;
            this.retryAtNs = retryAtNs;
        }
    }

    GuardedCloses(final String nodeId, final CloseGuard guard, final RelayCounters counters) {
        this.nodeId = nodeId;
        this.guard = guard;
        this.counters = counters;
    }

    /**
     * Asks the guard to let the FIN or RST of the connection {@code client} - {@code service} through.
     *
     * @param channel the client's socket, closed silently (not by {@code close}) if the relay is abandoned first.
     * @param close   what closes the connection when the guard refused now: run later by {@link #doWork(long)}, once
     *                the guard lets the close through or was asked {@link #MAX_ATTEMPTS} times.
     * @return true when the guard lets it through: the caller closes at once, and {@code close} never runs.
     */
    boolean tryAuthorize(
            final SocketChannel channel,
            final InetSocketAddress client,
            final InetSocketAddress service,
            final Runnable close,
            final long nowNs) {
        if (guard.authorize(client, service)) {
            return true;
        }
        pending.add(new Pending(channel, client, service, close, nowNs + RETRY_DELAY_NS));
        counters.closesHeldForGuard.incrementAndGet();
        LOG.debug(
                "[{}] {}: the close guard refused its close; asking again in {} ms",
                nodeId,
                client,
                TimeUnit.NANOSECONDS.toMillis(RETRY_DELAY_NS));
        return false;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Milliseconds until the next retry is due (at least 1), or {@code idleMs} when none waits. */
    long idleTimeoutMs(final long idleMs, final long nowNs) {
        long soonestNs = Long.MAX_VALUE;
        for (final Pending close : pending) {
            soonestNs = Math.min(soonestNs, close.retryAtNs - nowNs);
        }
        return soonestNs == Long.MAX_VALUE
                ? idleMs
                : Math.max(1, Math.min(idleMs, TimeUnit.NANOSECONDS.toMillis(soonestNs) + 1));
    }

    /** Asks the guard again about every close due now; runs those it lets through or gave up on. Returns how many. */
    int doWork(final long nowNs) {
        if (pending.isEmpty()) {
            return 0;
        }
        for (final Iterator<Pending> closes = pending.iterator(); closes.hasNext(); ) {
            final Pending close = closes.next();
            if (nowNs - close.retryAtNs < 0) {
                continue;
            }
            close.attempts++;
            if (guard.authorize(close.client, close.service) || giveUpIfLast(close)) {
                closes.remove();
                ready.add(close);
            } else {
                close.retryAtNs = nowNs + RETRY_DELAY_NS;
            }
        }
        return runReady();
    }

    /** The relay stops: every close still waiting is asked for once more and goes out, authorized or not. */
    void closeAll() {
        for (final Pending close : pending) {
            close.attempts++;
            if (!guard.authorize(close.client, close.service)) {
                giveUp(close);
            }
        }
        ready.addAll(pending);
        pending.clear();
        runReady();
    }

    /**
     * The connections were handed over to another node: no waiting close goes out; each client socket still open is
     * closed by {@code closer} (no FIN, no RST), as every other one of a handover.
     *
     * @return how many closes were dropped.
     */
    int abandonAll(final PrimaryWrapper.SilentCloser closer) {
        final int dropped = pending.size();
        for (final Pending close : pending) {
            if (close.channel.isOpen()) {
                closeSilently(closer, close);
            }
        }
        counters.closesHeldForGuard.addAndGet(-dropped);
        pending.clear();
        return dropped;
    }

    private void closeSilently(final PrimaryWrapper.SilentCloser closer, final Pending close) {
        try {
            closer.close(close.channel);
        } catch (final IOException ex) {
            LOG.warn("[{}] {}: could not close silently ({}); closing normally", nodeId, close.client, ex.getMessage());
            try {
                close.channel.close();
            } catch (final IOException ignored) {
                // a failed socket's close: nothing more to release
            }
        }
    }

    private boolean giveUpIfLast(final Pending close) {
        if (close.attempts < MAX_ATTEMPTS) {
            return false;
        }
        giveUp(close);
        return true;
    }

    private void giveUp(final Pending close) {
        counters.guardFailures.incrementAndGet();
        LOG.error(
                "[{}] {} -> {}: the close guard refused this connection's close {} times; closing it anyway. The "
                        + "guard drops that FIN or RST, so the client hears nothing and waits for its own timeout",
                nodeId,
                close.client,
                close.service,
                close.attempts);
    }

    /** Runs the closes taken off the queue; a close that fails is counted and reported, and the others still run. */
    private int runReady() {
        final int count = ready.size();
        for (final Pending close : ready) {
            counters.closesHeldForGuard.decrementAndGet();
            try {
                close.close.run();
            } catch (final RuntimeException ex) {
                counters.errors.incrementAndGet();
                LOG.error("[{}] {}: a close held for the close guard failed", nodeId, close.client, ex);
            }
        }
        ready.clear();
        return count;
    }
}
