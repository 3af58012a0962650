package io.understudy.admin.core;

import io.understudy.primary.PrimaryWrapper;
import io.understudy.primary.RelayedConnection;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the primary's relay from a thread of its own: a relay loop that stops turning while it is neither frozen nor
 * stopped is stuck, and the node exits (a primary that does not relay must not heartbeat on); client bytes that wait
 * for an app that takes none for {@code stallMs} are the relay's own sign of a hung app.
 */
final class RelayWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayWatchdog.class);
    private static final long INTERVAL_MS = 250;
    private static final long STUCK_MS = 5000;
    private static final int STUCK_EXIT_STATUS = 71;

    private final String nodeId;
    private final Supplier<PrimaryWrapper> relay;
    private final long stallMs;
    private final Consumer<String> onStall;
    private final Thread thread;
    private volatile boolean running = true;
    private PrimaryWrapper watched;
    private long lastTurns = -1;
    private long sameTurnsSinceMs;
    private boolean stallReported;

    RelayWatchdog(
            final String nodeId,
            final Supplier<PrimaryWrapper> relay,
            final long stallMs,
            final Consumer<String> onStall) {
        this.nodeId = nodeId;
        this.relay = relay;
        this.stallMs = stallMs;
        this.onStall = onStall;
        this.thread = new Thread(this::run, "relay-watchdog-" + nodeId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(INTERVAL_MS);
                check(System.nanoTime() / 1_000_000);
            } catch (final InterruptedException ex) {
                return;
            } catch (final RuntimeException ex) {
                LOG.error("[{}] relay watchdog: {}", nodeId, ex.toString());
            }
        }
    }

    private void check(final long nowMs) throws InterruptedException {
        final PrimaryWrapper current = relay.get();
        if (current != watched) {
            watched = current;
            lastTurns = -1;
            stallReported = false;
        }
        if (current == null || !current.isRunning() || current.isFrozen()) {
            lastTurns = -1;
            return;
        }
        final long turns = current.turns();
        if (turns != lastTurns) {
            lastTurns = turns;
            sameTurnsSinceMs = nowMs;
        } else if (nowMs - sameTurnsSinceMs > STUCK_MS && current.isRunning() && !current.isFrozen()) {
            final StringBuilder stack = new StringBuilder();
            for (final StackTraceElement frame : current.relayThreadStack()) {
                stack.append("\n    at ").append(frame);
            }
            LOG.error(
                    "[{}] the relay loop has not turned for {} ms: exiting, so the backup takes over; the relay "
                            + "thread is at:{}",
                    nodeId,
                    nowMs - sameTurnsSinceMs,
                    stack);
            Node.exitNow(STUCK_EXIT_STATUS);
        }
        checkStall(current);
    }

    private void checkStall(final PrimaryWrapper current) throws InterruptedException {
        final long blockedMs;
        try {
            blockedMs = current.connections().stream()
                    .mapToLong(RelayedConnection::appBlockedMs)
                    .max()
                    .orElse(0);
        } catch (final IOException ex) {
            return; // the loop's turns tell a stuck relay
        }
        if (blockedMs < stallMs) {
            stallReported = false;
        } else if (!stallReported) {
            stallReported = true;
            onStall.accept("client bytes have waited " + blockedMs + " ms for an app that takes none of them");
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
