package io.understudy.ops.load;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived load connection: sends a request on its own key (INCR, GET for HTTP, an UPDATE for PostgreSQL) at
 * each interval tick, one request at a time, and checks every reply until the run's deadline; a protocol that sets
 * the key first (memcached, PostgreSQL) does so once on connect. A connection that fails stops; it never reconnects, so a failover that drops connections
 * shows up in the result.
 */
final class LoadConnection implements Callable<ConnectionResult> {
    private static final Logger LOG = LoggerFactory.getLogger(LoadConnection.class);

    private static final long STOP_CHECK_NS = 100_000_000L;

    private final LoadConfig config;
    private final int index;
    private final long firstTickNs;
    /** The run's end, shared by every connection: it comes forward when the run is stopped early. */
    private final AtomicLong deadlineNs;

    private final long intervalNs;

    LoadConnection(final LoadConfig config, final int index, final long startNs, final AtomicLong deadlineNs) {
        this.config = config;
        this.index = index;
        this.intervalNs = config.intervalMs() * 1_000_000L;
        // Spread the connections over one interval so the service sees a steady rate, not a burst per tick.
        this.firstTickNs = startNs + intervalNs * index / config.connections();
        this.deadlineNs = deadlineNs;
    }

    @Override
    public ConnectionResult call() {
        final ConnectionRecorder recorder = new ConnectionRecorder(index, intervalNs);
        try {
            overPostgres(recorder);
        } catch (final IOException ex) {
            onFailure(config, index, recorder, ex, firstTickNs, System.nanoTime());
        }
        return recorder.result();
    }

    private void overPostgres(final ConnectionRecorder recorder) throws IOException {
        final String key = config.key(index);
        try (PostgresClient client = PostgresClient.connect(config, System.getenv())) {
            recorder.onConnected(client.localPort());
            final ReplyChecker checker = new ReplyChecker();
            checker.onKeySet(client.reset(key));
            // The driver's socketTimeout bounds each reply: a timeout fails the connection as one here does.
            long tickNs = firstTickNs;
            while (awaitTick(tickNs)) {
                final long sendNs = System.nanoTime();
                final ParsedReply reply = client.increment(key);
                final long replyNs = System.nanoTime();
                onReply(config, index, checker, recorder, reply, sendNs, replyNs);
                tickNs = nextTickNs(tickNs, replyNs, intervalNs);
            }
        }
    }

    /** Records and logs the failure that stopped connection index (it does not reconnect). */
    static void onFailure(
            final LoadConfig config,
            final int index,
            final ConnectionRecorder recorder,
            final IOException ex,
            final long sinceNs,
            final long nowNs) {
        recorder.onFailure(ex, sinceNs, nowNs);
        LOG.warn(
                "loadgen {}:{} connection {} ({}) stopped: {}",
                config.host(),
                config.port(),
                index,
                config.key(index),
                ex.toString());
    }

    /** Checks and records one reply of connection index; logs the connection's first bad one. */
    static void onReply(
            final LoadConfig config,
            final int index,
            final ReplyChecker checker,
            final ConnectionRecorder recorder,
            final ParsedReply reply,
            final long sendNs,
            final long replyNs) {
        final Verdict verdict = checker.check(reply);
        recorder.onReply(sendNs, replyNs, verdict);
        if ((verdict == Verdict.ERROR || verdict == Verdict.CORRUPTED) && recorder.onBadReply(reply.description())) {
            LOG.warn(
                    "loadgen {}:{} connection {} ({}): first bad reply, {}: {}",
                    config.host(),
                    config.port(),
                    index,
                    config.key(index),
                    verdict,
                    reply.description());
        }
    }

    /** @return true at tickNs, false when the deadline (or an interrupt) comes first */
    private boolean awaitTick(final long tickNs) {
        while (!Thread.currentThread().isInterrupted()) {
            final long nowNs = System.nanoTime();
            final long endNs = deadlineNs.get();
            if (nowNs - endNs >= 0) {
                return false;
            }
            if (nowNs - tickNs >= 0) {
                return true;
            }
            // Parks at most STOP_CHECK_NS at a time, so an early stop is seen soon even with a long interval.
            LockSupport.parkNanos(Math.min(Math.min(tickNs - nowNs, endNs - nowNs), STOP_CHECK_NS));
        }
        return false;
    }

    /**
     * The first tick after tickNs that is not already past at nowNs: ticks missed while waiting for a slow reply are
     * dropped rather than sent as a burst, so a stall does not turn into a load spike after it.
     */
    static long nextTickNs(final long tickNs, final long nowNs, final long intervalNs) {
        if (intervalNs == 0) {
            return nowNs;
        }
        final long nextNs = tickNs + intervalNs;
        if (nextNs - nowNs >= 0) {
            return nextNs;
        }
        final long missedTicks = (nowNs - nextNs + intervalNs - 1) / intervalNs;
        return nextNs + missedTicks * intervalNs;
    }
}
