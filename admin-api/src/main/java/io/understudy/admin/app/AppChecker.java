package io.understudy.admin.app;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the app check over and over on the daemon thread "app-check-NODE" (run, then wait intervalMs: checks never
 * overlap), feeds the results to an {@link AppHealth} and tells onHung once per streak of failures that reaches the
 * threshold. With check type none it starts no thread and the app never counts as hung.
 */
public final class AppChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppChecker.class);
    /** close() waits this long beyond one check's timeout for the thread to stop. */
    private static final long CLOSE_MARGIN_MS = 1_000;

    /**
     * The app's health as last checked.
     *
     * @param hung          the failure threshold was reached and no check succeeded since.
     * @param failuresInRow failed checks since the last success.
     * @param lastDetail    what the last check saw ("not checked yet" before the first).
     * @param lastLatencyMs how long the last check took.
     */
    public record Snapshot(boolean hung, int failuresInRow, String lastDetail, long lastLatencyMs) {}

    private final String nodeId;
    private final AppCheck check;
    private final AppCheckSettings settings;
    private final Consumer<String> onHung;
    private final AppHealth health;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    private AppChecker(
            final String nodeId,
            final AppCheckSettings settings,
            final InetSocketAddress target,
            final Consumer<String> onHung) {
        this.nodeId = nodeId;
        this.check = AppCheck.of(settings, target);
        this.settings = settings;
        this.onHung = onHung;
        this.health = new AppHealth(settings.getFailures());
        this.thread =
                settings.getType() == AppCheckSettings.Type.NONE ? null : new Thread(this::run, "app-check-" + nodeId);
    }

    /** Starts checking the app at target (type tcp) as the settings say; onHung gets the reason, once per streak. */
    public static AppChecker start(
            final String nodeId,
            final AppCheckSettings settings,
            final InetSocketAddress target,
            final Consumer<String> onHung) {
        final AppChecker checker = new AppChecker(nodeId, settings, target, onHung);
        if (checker.thread != null) {
            LOG.info(
                    "[{}] checking the app every {} ms ({}), timeout {} ms, hung after {} failures in a row",
                    nodeId,
                    settings.getIntervalMs(),
                    checker.check,
                    settings.getTimeoutMs(),
                    settings.getFailures());
            checker.thread.setDaemon(true);
            checker.thread.start();
        }
        return checker;
    }

    /** The app's health as last checked. */
    public Snapshot health() {
        synchronized (health) {
            final AppCheck.Result last = health.lastResult();
            return new Snapshot(
                    health.isHung(),
                    health.failuresInRow(),
                    last == null ? (thread == null ? "no check" : "not checked yet") : last.detail(),
                    last == null ? 0 : last.latencyMs());
        }
    }

    /** Stops the thread; waits for a check under way (at most its timeout). */
    @Override
    public void close() {
        stop.countDown();
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(settings.getTimeoutMs() + CLOSE_MARGIN_MS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("[{}] app check thread {} still runs after close ({})", nodeId, thread.getName(), check);
        }
    }

    private void run() {
        try {
            do {
                onResult(runCheck(), System.nanoTime());
            } while (!stop.await(settings.getIntervalMs(), TimeUnit.MILLISECONDS));
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** A check that throws counts as failed and the thread goes on: one odd failure must not end the checking. */
    private AppCheck.Result runCheck() {
        try {
            return check.run();
        } catch (final RuntimeException ex) {
            LOG.error("[{}] app check ({}) failed: {}", nodeId, check, ex.toString(), ex);
            return new AppCheck.Result(false, 0, "check failed: " + ex);
        }
    }

    private void onResult(final AppCheck.Result result, final long nowNs) {
        final boolean wasHung;
        final boolean nowHung;
        synchronized (health) {
            wasHung = health.isHung();
            nowHung = health.onResult(result, nowNs);
        }
        if (wasHung && result.healthy()) {
            LOG.info("[{}] app check passes again: {} ({})", nodeId, result.detail(), check);
        }
        if (nowHung) {
            final String reason = "app check failed " + settings.getFailures() + " times in a row: " + result.detail()
                    + " (" + check + ")";
            LOG.warn("[{}] {}", nodeId, reason);
            tell(reason);
        }
    }

    private void tell(final String reason) {
        try {
            onHung.accept(reason);
        } catch (final RuntimeException ex) {
            LOG.error("[{}] the app hung listener failed on '{}': {}", nodeId, reason, ex.toString(), ex);
        }
    }
}
