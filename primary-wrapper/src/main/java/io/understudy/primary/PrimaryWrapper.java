package io.understudy.primary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The primary-side wrapper: listens on the service address and relays every client connection to the local app,
 * passing half-closes and resets through. Runs its relay agent on one thread of its own.
 */
public final class PrimaryWrapper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryWrapper.class);
    private static final long IDLE_TIMEOUT_MS = 100;
    /** How often a relay without its lease asks again: a resumed lease restarts the relay within about this. */
    private static final long LEASE_RECHECK_NS = 1_000_000;

    private final PrimaryWrapperConfig config;
    private final RelayCounters counters = new RelayCounters();
    private final RelayAgent agent;
    private final InetSocketAddress boundAddress;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean frozen;
    private final Object thaw = new Object();
    private volatile CountDownLatch parked = new CountDownLatch(1);
    private final java.util.function.Consumer<Throwable> onFailure;
    /** Turns of the relay loop so far: a watchdog that sees it stand still knows the relay is stuck. */
    private volatile long turns;

    private volatile Throwable injected;
    private volatile Throwable failure;

    /** Closes a client socket with no FIN and no RST (TCP_REPAIR), for a handover. */
    @FunctionalInterface
    public interface SilentCloser {
        void close(java.nio.channels.SocketChannel client) throws IOException;
    }

    /**
     * Reads a client socket's state in repair mode and closes it silently, for a handover that keeps the app's side
     * of the connection as this node's replica.
     */
    public interface SocketDumper {
        ClientSocketState dumpAndClose(java.nio.channels.SocketChannel client) throws IOException;

        /** Closes with no FIN and no RST, without reading anything. */
        void closeSilently(java.nio.channels.SocketChannel client) throws IOException;
    }

    private PrimaryWrapper(final PrimaryWrapperConfig config, final java.util.function.Consumer<Throwable> onFailure)
            throws IOException {
        this.config = config;
        this.onFailure = onFailure;
        this.agent = new RelayAgent(config, counters);
        this.boundAddress = agent.boundAddress();
        this.thread = new Thread(this::run, "relay-" + config.nodeId());
        this.thread.setDaemon(true);
    }

    /**
     * Binds the service address and starts relaying.
     *
     * @throws IOException when the service address cannot be bound (the message names it).
     */
    public static PrimaryWrapper start(final PrimaryWrapperConfig config) throws IOException {
        return start(config, failure -> {});
    }

    /**
     * Like {@link #start(PrimaryWrapperConfig)}; {@code onFailure} is called on the relay thread when it dies of an
     * error (an OutOfMemoryError, any Error or unexpected exception): the relay no longer moves bytes, and a node must
     * not go on as a healthy primary.
     */
    public static PrimaryWrapper start(
            final PrimaryWrapperConfig config, final java.util.function.Consumer<Throwable> onFailure)
            throws IOException {
        final PrimaryWrapper wrapper = new PrimaryWrapper(config, onFailure);
        wrapper.thread.start();
        LOG.info("[{}] relaying {} -> {}", config.nodeId(), wrapper.boundAddress, config.appAddress());
        return wrapper;
    }

    /** Where clients connect; the real port when the config asked for port 0. */
    public InetSocketAddress serviceAddress() {
        return boundAddress;
    }

    /**
     * Relays a connection that was established elsewhere (a restored client socket and the replica's connection to
     * the app, after a takeover), sending {@code toClient} to the client first. Safe from any thread.
     */
    public void adopt(
            final java.nio.channels.SocketChannel client,
            final java.nio.channels.SocketChannel app,
            final byte[] toClient,
            final boolean clientFinished) {
        adopt(client, app, toClient, clientFinished, 0, 0);
    }

    /**
     * Like {@link #adopt(java.nio.channels.SocketChannel, java.nio.channels.SocketChannel, byte[], boolean)}, with
     * where the connection's streams stood: {@code clientOffset} is the client stream offset of the next byte the
     * client sends, {@code serverOffset} the server stream offset of the first byte of {@code toClient}; a later
     * planned handover reports the connection in those offsets.
     */
    public void adopt(
            final java.nio.channels.SocketChannel client,
            final java.nio.channels.SocketChannel app,
            final byte[] toClient,
            final boolean clientFinished,
            final long clientOffset,
            final long serverOffset) {
        agent.offer(new RelayAgent.Adoption(client, app, toClient.clone(), clientFinished, clientOffset, serverOffset));
    }

    public RelayStats stats() {
        return counters.snapshot();
    }

    /**
     * The read-log id of the relayed connection whose socket to the app has {@code appSidePort} here (the app sees it
     * as its peer's port), 0 when there is none or the read log is off. Any thread; a map lookup, nothing asked of the
     * relay thread.
     */
    public long loggedIdOfAppPort(final int appSidePort) {
        return agent.logIdOfAppPort(appSidePort);
    }

    /**
     * Every connection relayed now.
     *
     * @throws IOException when the relay thread does not answer within a second.
     */
    public java.util.List<RelayedConnection> connections() throws IOException, InterruptedException {
        if (frozen || !isRunning()) {
            return agent.connections(); // the relay thread is parked or gone: nothing moves
        }
        try {
            return agent.requestConnections().get(1, TimeUnit.SECONDS);
        } catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            throw new IOException("the relay thread did not list its connections within 1 s", ex);
        }
    }

    /** The read log's state: shipped, acked, lag, degraded protection. */
    public ReadLogStats readLogStats() {
        return config.readLog().stats();
    }

    public boolean isRunning() {
        return running && thread.isAlive();
    }

    /** Turns of the relay loop so far; it turns at least every 100 ms while it runs and is not frozen. */
    public long turns() {
        return turns;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Where the relay thread is now, for a watchdog that finds it stuck; empty once it has ended. */
    public StackTraceElement[] relayThreadStack() {
        return thread.getStackTrace();
    }

    /** What killed the relay thread, if something did. */
    public java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    /** Fault injection: the relay thread throws {@code error} on its next turn, as if it had run out of memory. */
    public void injectFailure(final Throwable error) {
        injected = error;
        agent.wakeUp();
    }

    private void run() {
        MDC.put("node", config.nodeId());
        try {
            while (running) {
                turns++;
                if (frozen) {
                    parkWhileFrozen();
                    continue;
                }
                final Throwable toThrow = injected;
                if (toThrow != null) {
                    injected = null;
                    throwUnchecked(toThrow);
                }
                final long nowNs = System.nanoTime();
                if (!agent.leaseHolds(nowNs)) {
                    java.util.concurrent.locks.LockSupport.parkNanos(LEASE_RECHECK_NS);
                    continue;
                }
                if (agent.doWork(nowNs) == 0) {
                    agent.awaitWork(agent.idleTimeoutMs(IDLE_TIMEOUT_MS, nowNs));
                }
            }
        } catch (final IOException | RuntimeException | Error ex) {
            counters.errors.incrementAndGet();
            failure = ex;
            running = false;
            LOG.error("[{}] relay thread died: no byte moves from now on", config.nodeId(), ex);
            onFailure.accept(ex);
        } finally {
            running = false;
            flushReadLog(); // a turn cut short by a failure may have logged reads the app already has
            stopped.countDown();
        }
    }

    private void flushReadLog() {
        try {
            config.readLog().flush();
        } catch (final RuntimeException | Error ex) {
            LOG.error("[{}] the read log's last records could not be handed to the shipper", config.nodeId(), ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void throwUnchecked(final Throwable error) throws T {
        throw (T) error;
    }

    /** The relay thread, frozen: touches no socket until thawed or told to abandon. */
    private void parkWhileFrozen() {
        synchronized (thaw) {
            parked.countDown();
            while (frozen && running) {
                try {
                    thaw.wait(IDLE_TIMEOUT_MS);
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Stops moving bytes, as a crash would, but keeps every socket open: no more reads, writes, accepts, FINs or
     * RSTs, until {@link #thaw()} or {@link #abandon(SilentCloser)}. Returns once the relay thread has stopped.
     *
     * @throws IOException when the relay thread did not stop within 2 s.
     */
    public void freeze() throws IOException {
        parked = new CountDownLatch(1);
        frozen = true;
        agent.wakeUp();
        try {
            if (!parked.await(2, TimeUnit.SECONDS)) {
                frozen = false;
                throw new IOException("the relay thread did not stop within 2 s");
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            frozen = false;
            throw new IOException("interrupted while freezing the relay", ex);
        }
        LOG.info("[{}] relay frozen: {} connections held as they are", config.nodeId(), counters.connectionsOpen.get());
    }

    /** Lets a frozen relay move bytes again (a handover that did not happen). */
    public void thaw() {
        synchronized (thaw) {
            frozen = false;
            thaw.notifyAll();
        }
        LOG.info("[{}] relay thawed", config.nodeId());
    }

    /**
     * Gives up every connection of a frozen relay after another node took them over: each client socket is closed
     * by {@code closer} (silently: the client's connection lives on elsewhere), each app socket normally, and the
     * service address is released. The wrapper is stopped afterwards.
     */
    public void abandon(final SilentCloser closer) throws IOException {
        if (!frozen) {
            throw new IllegalStateException("abandon needs a frozen relay");
        }
        final int given = agent.abandonAll(closer);
        stopAfterGivingUp();
        LOG.info(
                "[{}] relay abandoned {} connections to the new primary: {}",
                config.nodeId(),
                given,
                counters.snapshot());
    }

    /**
     * Gives up every connection of a frozen relay after another node took them over, like {@link #abandon}, but
     * keeps the app's side of each connection that can go on as this node's replica: its client socket is read in
     * repair mode and closed silently by {@code dumper}, its app socket stays open and is returned with the rest.
     * The wrapper is stopped afterwards.
     */
    public java.util.List<MovedConnection> handOver(final SocketDumper dumper) throws IOException {
        if (!frozen) {
            throw new IllegalStateException("a handover needs a frozen relay");
        }
        final long startNs = System.nanoTime();
        final java.util.List<MovedConnection> moved = agent.handOverAll(dumper);
        final long dumpedNs = System.nanoTime();
        stopAfterGivingUp();
        LOG.info(
                "[{}] relay handed {} connections over with their app side kept for this node's replica (sockets "
                        + "read and closed in {} ms, relay stopped in {} ms): {}",
                config.nodeId(),
                moved.size(),
                (dumpedNs - startNs) / 1_000_000,
                (System.nanoTime() - dumpedNs) / 1_000_000,
                counters.snapshot());
        return moved;
    }

    /** Lets the parked relay thread end, waits for it, and closes what is left (the listener, the selector). */
    private void stopAfterGivingUp() throws IOException {
        synchronized (thaw) {
            running = false;
            thaw.notifyAll();
        }
        try {
            stopped.await(5, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        agent.close();
    }

    /** Stops accepting, closes every relayed connection and releases the service address. */
    @Override
    public void close() throws IOException {
        running = false;
        agent.wakeUp();
        try {
            if (!stopped.await(5, TimeUnit.SECONDS)) {
                LOG.warn("[{}] relay thread did not stop within 5 s", config.nodeId());
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        agent.close();
        LOG.info("[{}] relay closed: {}", config.nodeId(), counters.snapshot());
    }
}
