package io.understudy.admin.core;

import io.understudy.admin.api.ReplicaSyncStatus;
import io.understudy.backup.takeover.TimedCommand;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a backup's app in step with the primary's ({@code replica.syncCommand}), on a thread of its own: runs the
 * command until it exits 0, again after {@code retryMs} when it fails or outlives {@code timeoutMs}, and then says so
 * to {@code inStep} once. Closing it stops it, killing a run under way (the backup role ends: a takeover, a stop).
 */
final class ReplicaSync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSync.class);
    /** The longest piece of a failed run's output kept in the status. */
    private static final int OUTPUT_KEPT = 400;

    private final String nodeId;
    private final List<String> command;
    private final Map<String, String> environment;
    private final long timeoutMs;
    private final long retryMs;
    private final Runnable inStep;
    private final Thread thread;
    private volatile ReplicaSyncStatus status;
    private volatile boolean closed;

    ReplicaSync(
            final String nodeId,
            final List<String> command,
            final Map<String, String> environment,
            final long timeoutMs,
            final long retryMs,
            final Runnable inStep) {
        this.nodeId = nodeId;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.timeoutMs = timeoutMs;
        this.retryMs = retryMs;
        this.inStep = inStep;
        this.status = new ReplicaSyncStatus(
                false, ReplicaSyncStatus.SYNCING, 0, Instant.now().toString(), null, -1);
        this.thread = new Thread(this::loop, "replica-sync-" + nodeId);
        this.thread.setDaemon(true);
    }

    /** Starts syncing now; {@code inStep} runs on the sync's thread once a run exits 0. */
    ReplicaSync start() {
        thread.start();
        return this;
    }

    /** Where the sync stands now. */
    ReplicaSyncStatus status() {
        return status;
    }

    private void loop() {
        int attempts = 0;
        String lastError = null;
        while (!closed) {
            attempts++;
            status = new ReplicaSyncStatus(
                    false, ReplicaSyncStatus.SYNCING, attempts, Instant.now().toString(), lastError, -1);
            LOG.info(
                    "[{}] bringing this node's app in step with the primary's (attempt {}): {}",
                    nodeId,
                    attempts,
                    command);
            final long startNs = System.nanoTime();
            try {
                final TimedCommand.Outcome outcome =
                        TimedCommand.run(command, environment, Duration.ofMillis(timeoutMs));
                final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
                if (closed) {
                    return;
                }
                if (outcome.exit() == 0) {
                    inStep.run();
                    status = new ReplicaSyncStatus(
                            true,
                            ReplicaSyncStatus.IN_STEP,
                            attempts,
                            Instant.now().toString(),
                            null,
                            tookMs);
                    LOG.warn(
                            "[{}] this node's app is in step with the primary's ({} ms, attempt {}): connections opened "
                                    + "from now on are protected. {}",
                            nodeId,
                            tookMs,
                            attempts,
                            last(outcome.output()));
                    return;
                }
                lastError = "exited " + outcome.exit() + ": " + last(outcome.output());
            } catch (final IOException ex) {
                lastError = last(ex.getMessage());
            } catch (final InterruptedException ex) {
                return;
            }
            if (closed) {
                return;
            }
            status = new ReplicaSyncStatus(
                    false, ReplicaSyncStatus.FAILED, attempts, Instant.now().toString(), lastError, -1);
            LOG.error(
                    "[{}] this node's app could not be brought in step ({}): {}; new connections stay unprotected, "
                            + "trying again in {} ms",
                    nodeId,
                    command,
                    lastError,
                    retryMs);
            try {
                Thread.sleep(retryMs);
            } catch (final InterruptedException ex) {
                return;
            }
        }
    }

    private static String last(final String output) {
        final String text = output == null ? "" : output.strip();
        return text.length() <= OUTPUT_KEPT ? text : "..." + text.substring(text.length() - OUTPUT_KEPT);
    }

    /**
     * Stops syncing: a run under way gets SIGTERM, then SIGKILL a second later ({@link TimedCommand}). Waits for it,
     * so that no run outlives the role.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        final long startNs = System.nanoTime();
        try {
            thread.join(3_000);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.error("[{}] the replica sync did not stop within 3 s", nodeId);
        } else if (!status.inStep()) {
            LOG.warn("[{}] replica sync stopped ({} ms)", nodeId, (System.nanoTime() - startNs) / 1_000_000);
        }
    }
}
