package io.understudy.admin.core;

import io.understudy.admin.api.AppStatus;
import io.understudy.admin.app.AppCheck;
import io.understudy.admin.app.AppChecker;
import io.understudy.admin.app.AppExit;
import io.understudy.admin.app.AppProcess;
import io.understudy.admin.app.AppSettings;
import io.understudy.primary.AppCloseGate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches this node's app (DESIGN.md, "Failure model"): its process, through a pidfd, and its answers, through the
 * app check. Tells the node once when the app crashed or hung, and is the relay's {@link AppCloseGate}: an app-side
 * close waits at most {@code closeGraceMs} for the verdict; the closes of a dead app are held until the node has
 * handed the connections over (or could not, and {@link #passHeldCloses()} lets them through).
 */
final class AppSupervisor implements AppCloseGate, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppSupervisor.class);
    private static final long FIND_RETRY_MS = 1000;

    /** Why the app failed, as the node reports it. */
    record AppFailure(String kind, String description, Instant at) {}

    private final String nodeId;
    private final AppSettings settings;
    private final InetSocketAddress appAddress;
    private final Consumer<AppFailure> onFailure;
    private final long graceNs;
    private final ScheduledExecutorService finder;
    private volatile AppProcess process;
    private volatile AppChecker checker;
    private volatile String findProblem;
    private volatile AppFailure failure;
    private volatile boolean passHeld;
    private volatile boolean stopped;

    AppSupervisor(
            final String nodeId,
            final AppSettings settings,
            final InetSocketAddress appAddress,
            final Consumer<AppFailure> onFailure) {
        this.nodeId = nodeId;
        this.settings = settings;
        this.appAddress = appAddress;
        this.onFailure = onFailure;
        this.graceNs = settings.getCloseGraceMs() * 1_000_000L;
        this.finder = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "app-find-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Finds the app's process (again every second until found) and starts the app check. */
    void start() {
        stopped = false;
        failure = null;
        passHeld = false;
        finder.execute(this::findProcess);
        checker = AppChecker.start(nodeId, settings.getCheck(), appAddress, reason -> fail("hung", reason));
    }

    private void findProcess() {
        if (stopped || process != null) {
            return;
        }
        try {
            final AppProcess found = AppProcess.find(nodeId, settings, appAddress);
            process = found;
            findProblem = null;
            LOG.info("[{}] watching the app: pid {}", nodeId, found.pid());
            forgetCrashOfAnEarlierProcess(found);
            found.onExit(this::onExit);
        } catch (final IOException | RuntimeException ex) {
            if (findProblem == null) {
                LOG.error(
                        "[{}] cannot find the app's process ({}); until it is found, an app close passes to the "
                                + "client at once and an app crash is not told from a close",
                        nodeId,
                        ex.getMessage());
            }
            findProblem = ex.getMessage();
            finder.schedule(this::findProcess, FIND_RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void onExit(final AppExit exit) {
        fail("crashed", exit.description());
        final AppProcess dead = process;
        if (dead != null && dead.pid() == exit.pid() && !stopped) {
            process = null;
            dead.close();
            finder.schedule(this::findProcess, FIND_RETRY_MS, TimeUnit.MILLISECONDS); // restarted by someone else?
        }
    }

    /**
     * A new app process after a crash (an operator or systemd restarted it): the node's app serves again. The
     * connections of the dead process stay lost; new ones are protected again.
     */
    private void forgetCrashOfAnEarlierProcess(final AppProcess found) {
        synchronized (this) {
            final AppFailure failed = failure;
            if (failed == null
                    || !"crashed".equals(failed.kind())
                    || failed.description().contains("pid " + found.pid() + " ")) {
                return;
            }
            failure = null;
            passHeld = false;
        }
        LOG.warn(
                "[{}] the app runs again (pid {}) after its crash: counted as healthy from now on",
                nodeId,
                found.pid());
    }

    private void fail(final String kind, final String description) {
        synchronized (this) {
            if (failure != null || stopped) {
                return;
            }
            failure = new AppFailure(kind, description, Instant.now());
        }
        LOG.error("[{}] the app {}: {}", nodeId, kind, description);
        onFailure.accept(failure);
    }

    /** The relay saw client bytes wait too long for the app: a hang, like a failed check. */
    void onRelayStalled(final String why) {
        fail("hung", why);
    }

    @Override
    public boolean mayPass(final long sinceNs, final long nowNs) {
        if (passHeld) {
            return true;
        }
        if (failure != null) {
            return false; // the node is handing the connections over
        }
        final AppProcess watched = process;
        if (watched == null) {
            return true; // no watch: nothing to wait for
        }
        if (!watched.isAlive()) {
            return false; // dead: the watch thread tells the node in a moment
        }
        // After the grace, one look in /proc: a dying app (SIGKILL pending, a thread exiting) holds on.
        final long graceEndNs = sinceNs + graceNs;
        return nowNs - graceEndNs >= 0 && !dyingAfter(watched, graceEndNs, nowNs);
    }

    /**
     * Whether the app looked dying in a look at /proc taken at or after {@code graceEndNs}. One look answers for
     * every close whose grace had ended when it was taken: a look reads the stat of each of the app's threads, and
     * asked per close it stopped a new primary's relay for 5 s when 2,000 clients left at once (2,000 held closes,
     * each reading the stat of the demo service's 2,000 threads). A "dying" answer is looked at again after
     * {@link #DYING_LOOK_REFRESH_NS}: the watch ends the hold once the app is dead.
     */
    private synchronized boolean dyingAfter(final AppProcess watched, final long graceEndNs, final long nowNs) {
        final boolean reusable = lookProcess == watched
                && lookNs - graceEndNs >= 0
                && (!lookDying || nowNs - lookNs < DYING_LOOK_REFRESH_NS);
        if (!reusable) {
            lookDying = watched.isDying();
            lookNs = nowNs;
            lookProcess = watched;
            looks++;
        }
        return lookDying;
    }

    /** How many looks at /proc the gate took (the relay's cost of held closes). */
    synchronized long looks() {
        return looks;
    }

    private static final long DYING_LOOK_REFRESH_NS = 1_000_000L;
    private AppProcess lookProcess;
    private long lookNs;
    private boolean lookDying;
    private long looks;

    /** The connections could not be handed over: let every held close through, as without Understudy. */
    void passHeldCloses() {
        passHeld = true;
    }

    /** After the app was restarted: watch the new process and check it again. */
    void restart() {
        closeWatch();
        start();
    }

    /** The failure of the app, if it failed (crashed or hung) since it was last (re)started. */
    Optional<AppFailure> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Why this node's app cannot serve, if its process is dead (crashed, or gone); empty while it runs. A hung
     * verdict does not count here: on a loaded backup the check of its replica can time out while the replica is
     * only slow, and refusing a takeover for that would lose every connection a slow replica still has.
     */
    Optional<String> unfitReason() {
        forgetHangIfAnswering();
        final AppFailure failed = failure;
        if (failed != null && "crashed".equals(failed.kind())) {
            return Optional.of("the app " + failed.kind() + " (" + failed.description() + ")");
        }
        final AppProcess watched = process;
        if (watched != null && !watched.isAlive()) {
            return Optional.of("the app (pid " + watched.pid() + ") is dead");
        }
        return Optional.empty();
    }

    /**
     * A hang is not for ever: an app that answers its check again (it was only slow, or was stopped and continued)
     * is fit again, unless the failure has been acted on already (the relay passes its held closes). A crash stays.
     */
    private void forgetHangIfAnswering() {
        final AppFailure failed = failure;
        final AppChecker check = checker;
        if (failed == null || !"hung".equals(failed.kind()) || passHeld || check == null) {
            return;
        }
        final AppChecker.Snapshot health = check.health();
        if (!health.hung() && health.failuresInRow() == 0 && health.lastDetail() != null) {
            synchronized (this) {
                if (failure == failed) {
                    failure = null;
                }
            }
            LOG.warn(
                    "[{}] the app answers its check again ({}): no longer counted as hung",
                    nodeId,
                    health.lastDetail());
        }
    }

    /** A probe of the service through {@code target} (VIP:port) with the app's own check, when it is a TCP one. */
    Optional<AppCheck.Result> probe(final InetSocketAddress target, final int timeoutMs) {
        if (settings.getCheck().getType() != io.understudy.admin.app.AppCheckSettings.Type.TCP
                || settings.getCheck().getSend().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(AppCheck.of(settings.getCheck().withTimeoutMs(timeoutMs), target)
                .run());
    }

    AppStatus status() {
        forgetHangIfAnswering();
        final AppProcess watched = process;
        final AppChecker check = checker;
        final AppChecker.Snapshot health = check == null ? null : check.health();
        final AppFailure failed = failure;
        return new AppStatus(
                appAddress.getHostString() + ":" + appAddress.getPort(),
                watched == null ? -1 : watched.pid(),
                watched != null && watched.isAlive(),
                findProblem,
                settings.getCheck().getType().name().toLowerCase(java.util.Locale.ROOT),
                health != null && health.hung(),
                health == null ? 0 : health.failuresInRow(),
                health == null ? null : health.lastDetail(),
                failed == null ? null : failed.kind(),
                failed == null ? null : failed.description(),
                failed == null ? null : failed.at().toString());
    }

    private void closeWatch() {
        final AppProcess watched = process;
        process = null;
        if (watched != null) {
            watched.close();
        }
        final AppChecker check = checker;
        checker = null;
        if (check != null) {
            check.close();
        }
    }

    @Override
    public void close() {
        stopped = true;
        finder.shutdownNow();
        closeWatch();
    }
}
