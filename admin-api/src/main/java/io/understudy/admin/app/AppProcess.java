package io.understudy.admin.app;

import com.sun.jna.Native;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the one app process: {@link #isAlive()} for a relay thread that must know at once, {@link #onExit} for the
 * single report of its death with how it ended. Built on a pidfd, which pid reuse cannot fool; on kernels without
 * pidfds (before 5.3) it polls kill(pid, 0) and /proc/PID/stat instead.
 */
public final class AppProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppProcess.class);
    /** How long the watch thread blocks in one poll: bounds how long close() waits for it. */
    private static final int WATCH_POLL_MS = 200;
    /** The kernel fills in the exit status when the parent reaps the process, a moment after it exits. */
    private static final long EXIT_STATUS_WAIT_MS = 200;

    private static final long EXIT_STATUS_RETRY_MS = 10;
    private static final long CLOSE_JOIN_MS = 2_000;

    private final String nodeId;
    private final long pid;
    private final String source;
    /** Null: no pidfd on this kernel, the process is polled. */
    private final PidFd pidFd;
    /** Readers use the pidfd; close() takes the write lock to close it, so no one polls a closed (reused) fd. */
    private final ReentrantReadWriteLock fdLock = new ReentrantReadWriteLock();

    private volatile boolean exited;
    private volatile boolean closed;
    private Thread watcher;

    private AppProcess(final String nodeId, final AppPidSource located, final PidFd pidFd) {
        this.nodeId = nodeId;
        this.pid = located.pid();
        this.source = located.source();
        this.pidFd = pidFd;
    }

    /**
     * Finds the app as the settings say (pid file, systemd unit, or the owner of the listener on appAddress) and
     * starts watching it. An IOException names what was looked at and why it gave no running process.
     */
    public static AppProcess find(final String nodeId, final AppSettings settings, final InetSocketAddress appAddress)
            throws IOException {
        final AppPidSource located = AppPidSource.locate(settings, appAddress);
        final long fd = PidFd.open(located.pid());
        if (fd == -LibC.ESRCH || fd < 0 && !isRunning(located.pid())) {
            throw new IOException("pid " + located.pid() + " from " + located.source() + " is not running");
        }
        if (fd < 0) {
            LOG.info(
                    "[{}] app pid {} from {}: pidfd_open failed (errno={}, {}), polling the process instead",
                    nodeId,
                    located.pid(),
                    located.source(),
                    -fd,
                    LibC.INSTANCE.strerror((int) -fd));
            return new AppProcess(nodeId, located, null);
        }
        LOG.info("[{}] watching app pid {} from {}", nodeId, located.pid(), located.source());
        return new AppProcess(nodeId, located, PidFd.of(fd));
    }

    /** The path for kernels without pidfds (before 5.3), on any kernel: the seam its tests use. */
    static AppProcess polling(final String nodeId, final long pid) {
        return new AppProcess(nodeId, new AppPidSource(pid, "a test"), null);
    }

    public long pid() {
        return pid;
    }

    /**
     * Whether the app is dead or on its way out (a pending SIGKILL, a thread exiting): read from /proc, so ask it
     * once per decision, not per packet. A dying app's sockets can close before its pidfd says it exited.
     */
    public boolean isDying() {
        return !isAlive() || ProcStat.isDying(pid);
    }

    /**
     * Whether the app process still runs, asked of the kernel now without blocking (a zombie counts as dead).
     * Thread-safe. After close() it answers what it last knew.
     */
    public boolean isAlive() {
        if (exited) {
            return false;
        }
        fdLock.readLock().lock();
        try {
            if (closed) {
                return !exited;
            }
            final boolean alive = pidFd != null ? !pidFd.awaitExit(0) : isRunning(pid);
            if (!alive) {
                exited = true;
            }
            return alive;
        } finally {
            fdLock.readLock().unlock();
        }
    }

    /**
     * Starts the thread "app-watch-NODE" that waits for the process to end, then calls the listener once with how it
     * ended and stops. Call it once.
     */
    public synchronized void onExit(final Consumer<AppExit> listener) {
        if (watcher != null || closed) {
            throw new IllegalStateException("app pid " + pid + ": onExit may be called once, before close (watcher="
                    + watcher + ", closed=" + closed + ")");
        }
        watcher = new Thread(() -> watch(listener), "app-watch-" + nodeId);
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Stops the watch thread and closes the pidfd; waits up to a poll's length for the thread to stop. */
    @Override
    public void close() {
        final Thread thread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            thread = watcher;
        }
        fdLock.writeLock().lock();
        try {
            if (pidFd != null) {
                pidFd.close();
            }
        } finally {
            fdLock.writeLock().unlock();
        }
        awaitWatcher(thread);
    }

    @Override
    public String toString() {
        return "app pid " + pid + " from " + source;
    }

    private void watch(final Consumer<AppExit> listener) {
        try {
            while (!closed) {
                if (awaitExit()) {
                    exited = true;
                    final AppExit exit = exitOf();
                    LOG.warn("[{}] app {} (from {})", nodeId, exit.description(), source);
                    tell(listener, exit);
                    return;
                }
            }
        } catch (final RuntimeException ex) {
            LOG.error("[{}] watching app pid {} from {} failed: {}", nodeId, pid, source, ex.toString(), ex);
        }
    }

    private void tell(final Consumer<AppExit> listener, final AppExit exit) {
        try {
            listener.accept(exit);
        } catch (final RuntimeException ex) {
            LOG.error("[{}] the app exit listener failed on '{}': {}", nodeId, exit.description(), ex.toString(), ex);
        }
    }

    /** Blocks up to WATCH_POLL_MS; true once the process has exited. */
    private boolean awaitExit() {
        if (pidFd == null) {
            if (!isRunning(pid)) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WATCH_POLL_MS));
            return false;
        }
        fdLock.readLock().lock();
        try {
            return !closed && pidFd.awaitExit(WATCH_POLL_MS);
        } finally {
            fdLock.readLock().unlock();
        }
    }

    /** From the pidfd (once reaped, Linux 6.15+) or /proc/PID/stat (while a zombie), whichever answers first. */
    private AppExit exitOf() {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_STATUS_WAIT_MS);
        while (true) {
            OptionalInt status = exitStatusFromPidFd();
            if (status.isEmpty()) {
                status = ProcStat.zombieWaitStatus(pid);
            }
            if (status.isPresent()) {
                return AppExit.fromWaitStatus(pid, status.getAsInt());
            }
            if (closed || System.nanoTime() - deadlineNs >= 0) {
                return AppExit.unknown(pid);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(EXIT_STATUS_RETRY_MS));
        }
    }

    private OptionalInt exitStatusFromPidFd() {
        if (pidFd == null) {
            return OptionalInt.empty();
        }
        fdLock.readLock().lock();
        try {
            return closed ? OptionalInt.empty() : pidFd.exitWaitStatus();
        } finally {
            fdLock.readLock().unlock();
        }
    }

    private void awaitWatcher(final Thread thread) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(CLOSE_JOIN_MS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn(
                    "[{}] app watch thread {} still runs {} ms after close (in its exit listener?)",
                    nodeId,
                    thread.getName(),
                    CLOSE_JOIN_MS);
        }
    }

    /** Without a pidfd: the pid exists (kill(pid, 0) succeeds or is refused with EPERM) and is not a zombie. */
    private static boolean isRunning(final long pid) {
        if (LibC.INSTANCE.kill((int) pid, 0) != 0 && Native.getLastError() != LibC.EPERM) {
            return false;
        }
        return !ProcStat.hasExited(ProcStat.state(pid));
    }
}
