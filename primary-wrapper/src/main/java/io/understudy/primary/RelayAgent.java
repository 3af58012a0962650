package io.understudy.primary;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's duty cycle: accepts clients on the service address, opens one loopback connection to the app per client
 * and moves bytes between the two. Single-threaded and non-blocking; {@link #awaitWork(long)} is its idle strategy.
 */
final class RelayAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayAgent.class);
    private static final int ACCEPT_BACKLOG = 1024;
    /** How often a held app close is put to the gate again. */
    private static final long HELD_CLOSE_RECHECK_MS = 2;

    private static final long REFUSAL_LOG_INTERVAL_NS = 10_000_000_000L;
    private long lastRefusalLogNs;
    /** Whether the lease held at the last turn: the relay logs when it stops and starts relaying, not every turn. */
    private boolean leaseHeld = true;

    private long leaseLapsedNs;

    private final PrimaryWrapperConfig config;
    private final RelayCounters counters;
    private final GuardedCloses closes;
    private final Selector selector;
    private final ServerSocketChannel server;
    /** Every connection relayed, in the order they came; a set, so that one closing is forgotten in O(1). */
    private final java.util.Set<RelayConnection> connections = new java.util.LinkedHashSet<>();
    /** The connections whose output may wait for the logger: what each turn's release scan walks. */
    private final java.util.Set<RelayConnection> holdingOutput = new java.util.LinkedHashSet<>();
    /** Connections closed since the last turn's end, to forget then. */
    private final List<RelayConnection> closedThisTurn = new ArrayList<>();

    private final RelayConnection.Changes changes = new RelayConnection.Changes() {
        @Override
        public void outputHeld(final RelayConnection connection) {
            holdingOutput.add(connection);
        }

        @Override
        public void closed(final RelayConnection connection) {
            closedThisTurn.add(connection);
        }
    };
    private final AppSidePorts<Long> appPorts = new AppSidePorts<>();
    /** The directions' buffers, lent while bytes wait; relay thread only. */
    private final RelayBuffers buffers;

    private final java.util.Queue<Adoption> adoptions = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.Queue<java.util.concurrent.CompletableFuture<List<RelayedConnection>>> snapshots =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** A connection established elsewhere (a takeover) handed to this relay. */
    record Adoption(
            SocketChannel client,
            SocketChannel app,
            byte[] toClient,
            boolean clientFinished,
            long clientOffset,
            long serverOffset) {}

    /**
     * Whether the logger's ack must wake the relay: only while some connection holds output for it. An ack per
     * read-log record otherwise cost a selector wake-up (a write, an extra epoll return) on every request.
     */
    private volatile boolean wakeOnAck = true;

    RelayAgent(final PrimaryWrapperConfig config, final RelayCounters counters) throws IOException {
        this.config = config;
        this.counters = counters;
        this.closes = new GuardedCloses(config.nodeId(), config.closeGuard(), counters);
        this.buffers = new RelayBuffers(config.bufferBytes());
        this.selector = Selector.open();
        config.readLog().onAck(() -> {
            if (wakeOnAck) {
                selector.wakeup();
            }
        });
        this.server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.freeBind()) {
                NativeSocket.setInt(server, NativeSocket.IPPROTO_IP, NativeSocket.IP_FREEBIND, "IP_FREEBIND", 1);
            }
            server.bind(config.serviceAddress(), ACCEPT_BACKLOG);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (final IOException ex) {
            selector.close();
            server.close();
            throw new IOException(
                    "cannot listen on service address " + config.serviceAddress() + ": " + ex.getMessage(), ex);
        }
    }

    /** The address actually bound (the port is resolved when the config asked for port 0). */
    java.net.InetSocketAddress boundAddress() throws IOException {
        return (java.net.InetSocketAddress) server.getLocalAddress();
    }

    /** Handles every socket that is ready now, without blocking. Returns the number of ready sockets handled. */
    int doWork(final long nowNs) {
        answerSnapshots();
        int adopted = 0;
        Adoption adoption = adoptions.poll();
        if (adoption != null) { // timed only when there is something to adopt: the clock stays off the turn's path
            final long adoptStartNs = System.nanoTime();
            do {
                adopted++;
                adopt(adoption);
            } while ((adoption = adoptions.poll()) != null);
            LOG.info(
                    "[{}] adopted {} connections in {} ms",
                    config.nodeId(),
                    adopted,
                    (System.nanoTime() - adoptStartNs) / 1_000_000);
        }
        try {
            selector.selectNow();
        } catch (final IOException ex) {
            counters.errors.incrementAndGet();
            LOG.error("[{}] selector failed: {}", config.nodeId(), ex.toString());
            return 0;
        }
        int work = 0;
        final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            final SelectionKey key = keys.next();
            keys.remove();
            work++;
            onReady(key);
        }
        work += recheckHeldCloses();
        work += closes.doWork(nowNs);
        if (config.readLog().mayHoldOutput()) {
            // Set before the scan reads the acks, cleared after it when nothing is held: an ack that lands between
            // a held write and this scan is either seen by the scan or wakes the selector (both sides volatile).
            wakeOnAck = true;
            // Only the connections that held output since: a walk over all of them on every turn made each request
            // cost in proportion to the connections open (a third of the relay's time at 2,000).
            final java.util.Iterator<RelayConnection> holding = holdingOutput.iterator();
            while (holding.hasNext()) {
                final RelayConnection connection = holding.next();
                if (connection.hasHeldOutput() && connection.releaseHeld()) {
                    work++;
                }
                if (!connection.hasHeldOutput()) {
                    holding.remove();
                }
            }
            wakeOnAck = !holdingOutput.isEmpty();
        }
        config.readLog().flush(); // this turn's records, in one hand-over to the shipper
        forgetClosed();
        return work + adopted;
    }

    /** Drops the connections closed this turn from the lists and frees their app-side ports' entries. */
    private void forgetClosed() {
        for (final RelayConnection connection : closedThisTurn) {
            holdingOutput.remove(connection);
            if (connections.remove(connection)) {
                appPorts.forget(connection.appPort(), connection.logged());
            }
        }
        closedThisTurn.clear();
    }

    /** The read-log id of the connection whose socket to the app has {@code port} here, 0 when none; any thread. */
    long logIdOfAppPort(final int port) {
        final Long logId = appPorts.get(port);
        return logId == null ? 0 : logId;
    }

    /** Lists the connections for whoever asked: their state in memory, no socket touched. */
    private void answerSnapshots() {
        java.util.concurrent.CompletableFuture<List<RelayedConnection>> snapshot;
        while ((snapshot = snapshots.poll()) != null) {
            snapshot.complete(connections());
        }
    }

    /**
     * Whether this turn may touch sockets: asks the lease, logs when the relay stops or starts again and counts the
     * turns without it. While it does not hold, only requests for the connection list are answered (from memory).
     */
    boolean leaseHolds(final long nowNs) {
        final boolean holds = config.lease().holds(nowNs);
        if (holds != leaseHeld) {
            leaseHeld = holds;
            if (holds) {
                LOG.info(
                        "[{}] relay lease holds again after {} ms: relaying",
                        config.nodeId(),
                        (nowNs - leaseLapsedNs) / 1_000_000);
            } else {
                leaseLapsedNs = nowNs;
                LOG.warn(
                        "[{}] relay lease lapsed: touching none of {} connections until it holds again",
                        config.nodeId(),
                        counters.connectionsOpen.get());
            }
        }
        if (!holds) {
            counters.leaseWaits.incrementAndGet();
            answerSnapshots();
        }
        return holds;
    }

    /** Asks the gate again about every held app close; returns how many passed. */
    private int recheckHeldCloses() {
        if (counters.appClosesHeld.get() == 0) {
            return 0;
        }
        int passed = 0;
        for (final RelayConnection connection : connections) {
            if (connection.isHoldingAppClose()) {
                connection.recheckHeldClose();
                passed += connection.isHoldingAppClose() ? 0 : 1;
            }
        }
        return passed;
    }

    /**
     * How long the idle strategy may wait: briefly while app closes are held, so the gate is asked again soon, and no
     * longer than until the next close held for the guard is due.
     */
    long idleTimeoutMs(final long idleMs, final long nowNs) {
        return closes.idleTimeoutMs(counters.appClosesHeld.get() > 0 ? HELD_CLOSE_RECHECK_MS : idleMs, nowNs);
    }

    /** Asks the relay thread for a snapshot of every connection; any thread. */
    java.util.concurrent.CompletableFuture<List<RelayedConnection>> requestConnections() {
        final java.util.concurrent.CompletableFuture<List<RelayedConnection>> snapshot =
                new java.util.concurrent.CompletableFuture<>();
        snapshots.add(snapshot);
        selector.wakeup();
        return snapshot;
    }

    /** Every open connection now; relay thread only (or while it is parked). */
    List<RelayedConnection> connections() {
        final List<RelayedConnection> all = new ArrayList<>();
        for (final RelayConnection connection : connections) {
            if (!connection.isClosed()) {
                all.add(connection.snapshot());
            }
        }
        return all;
    }

    /** Queues a connection for the relay thread to take on; safe from any thread. */
    void offer(final Adoption adoption) {
        adoptions.add(adoption);
        selector.wakeup();
    }

    private void adopt(final Adoption adoption) {
        counters.connectionsAccepted.incrementAndGet();
        counters.connectionsOpen.incrementAndGet();
        try {
            adoption.client().configureBlocking(false);
            adoption.app().configureBlocking(false);
            final RelayConnection connection = new RelayConnection(
                    config,
                    adoption.client(),
                    adoption.app(),
                    counters,
                    closes,
                    appPorts,
                    buffers,
                    adoption.toClient(),
                    adoption.clientOffset(),
                    adoption.serverOffset());
            connection.reportTo(changes);
            if (adoption.clientFinished()) {
                connection.clientFinishedBeforeAdoption();
            }
            connection.register(selector, true);
            connections.add(connection);
            connection.onReady(null);
        } catch (final IOException | RuntimeException ex) {
            counters.errors.incrementAndGet();
            counters.connectionsOpen.decrementAndGet();
            LOG.error("[{}] cannot relay an adopted connection", config.nodeId(), ex);
        }
    }

    /** Blocks until a socket is ready, the timeout passes or {@link #wakeUp()} is called. */
    void awaitWork(final long timeoutMs) throws IOException {
        selector.select(timeoutMs);
    }

    void wakeUp() {
        selector.wakeup();
    }

    private void onReady(final SelectionKey key) {
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isAcceptable()) {
                acceptAll();
            } else {
                ((RelayConnection) key.attachment()).onReady(key);
            }
        } catch (final IOException | RuntimeException ex) {
            counters.errors.incrementAndGet();
            LOG.error("[{}] relay error, closing the connection concerned", config.nodeId(), ex);
            if (key.attachment() instanceof RelayConnection connection) {
                connection.close();
            }
        }
    }

    private void acceptAll() throws IOException {
        SocketChannel client;
        while ((client = server.accept()) != null) {
            if (counters.connectionsOpen.get() >= config.maxConnections()) {
                refuse(client);
                continue;
            }
            counters.connectionsAccepted.incrementAndGet();
            counters.connectionsOpen.incrementAndGet();
            final SocketChannel app = SocketChannel.open();
            RelayConnection connection = null;
            try {
                client.configureBlocking(false);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                app.configureBlocking(false);
                connection = new RelayConnection(config, client, app, counters, closes, appPorts, buffers);
                connection.reportTo(changes);
                connection.register(selector, connection.connectToApp(config.appAddress()));
                connections.add(connection);
            } catch (final IOException ex) {
                if (connection != null) {
                    connection.connectFailed();
                }
                counters.connectionsOpen.decrementAndGet();
                counters.appConnectFailures.incrementAndGet();
                LOG.warn(
                        "[{}] cannot relay {} to the app at {}: {}",
                        config.nodeId(),
                        client.getRemoteAddress(),
                        config.appAddress(),
                        ex.getMessage());
                app.close();
                resetUnrelayed(client);
            }
        }
    }

    /** One client too many: a RST at once (a clear refusal), never a connection the relay has no memory for. */
    private void refuse(final SocketChannel client) throws IOException {
        counters.connectionsRefused.incrementAndGet();
        final java.net.InetSocketAddress address = (java.net.InetSocketAddress) client.getRemoteAddress();
        final long nowNs = System.nanoTime();
        if (lastRefusalLogNs == 0 || nowNs - lastRefusalLogNs > REFUSAL_LOG_INTERVAL_NS) {
            lastRefusalLogNs = nowNs;
            LOG.warn(
                    "[{}] refusing {} with a RST: {} connections relayed, the most node.maxConnections allows "
                            + "({} refused so far)",
                    config.nodeId(),
                    address,
                    config.maxConnections(),
                    counters.connectionsRefused.get());
        }
        resetUnrelayed(client);
    }

    /** Resets a client the relay does not take on, once the guard lets the RST through (or was given up on). */
    private void resetUnrelayed(final SocketChannel client) throws IOException {
        final java.net.InetSocketAddress address = (java.net.InetSocketAddress) client.getRemoteAddress();
        final java.net.InetSocketAddress service = (java.net.InetSocketAddress) client.getLocalAddress();
        if (closes.tryAuthorize(client, address, service, () -> RelayConnection.abort(client), System.nanoTime())) {
            RelayConnection.abort(client);
        }
    }

    /**
     * Closes every connection without a word to its client ({@code closer} on the client socket) and the app side
     * normally; the relay thread must be parked. Returns how many connections were given up.
     */
    int abandonAll(final PrimaryWrapper.SilentCloser closer) {
        int given = 0;
        for (final RelayConnection connection : connections) {
            if (connection.abandon(closer)) {
                given++;
            }
        }
        forgetAll();
        appPorts.clear();
        config.readLog().flush();
        final int dropped = closes.abandonAll(closer);
        if (dropped > 0) {
            LOG.warn(
                    "[{}] {} closes held for the close guard dropped at the handover (their clients closed silently)",
                    config.nodeId(),
                    dropped);
        }
        return given;
    }

    /**
     * Like {@link #abandonAll}, but keeps each connection's app side for this node's replica where it can (a planned
     * handover); the relay thread must be parked. Returns the connections kept.
     */
    List<MovedConnection> handOverAll(final PrimaryWrapper.SocketDumper dumper) {
        final List<MovedConnection> moved = new java.util.ArrayList<>();
        for (final RelayConnection connection : connections) {
            final MovedConnection kept = connection.handOver(dumper);
            if (kept != null) {
                moved.add(kept);
            }
        }
        forgetAll();
        appPorts.clear();
        config.readLog().flush();
        final int dropped = closes.abandonAll(dumper::closeSilently);
        if (dropped > 0) {
            LOG.warn(
                    "[{}] {} closes held for the close guard dropped at the handover (their clients closed silently)",
                    config.nodeId(),
                    dropped);
        }
        return moved;
    }

    private void forgetAll() {
        connections.clear();
        holdingOutput.clear();
        closedThisTurn.clear();
    }

    @Override
    public void close() throws IOException {
        for (final RelayConnection connection : connections) {
            connection.close();
        }
        forgetAll();
        appPorts.clear();
        config.readLog().flush();
        closes.closeAll();
        try {
            server.close();
        } finally {
            selector.close();
        }
    }
}
