package io.understudy.primary;

import io.understudy.logger.EndKind;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its loopback connection to the app. A reset on either side is passed on as a reset of
 * the other; a half-close is passed on as a shutdown of output once the bytes before it were delivered. A close from
 * the app's side (FIN, RST, a refused connect) is held until the {@link AppCloseGate} lets it pass: the app may have
 * died, and then the node hands the connection over and the client must see nothing. Every read,
 * write, half-close and close goes to the read log; with sync commit, app output waits in the relay buffer until the
 * logger acked the reads that preceded it.
 */
final class RelayConnection {
    private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);
    private static final int MAX_ROUNDS_PER_EVENT = 16;

    private final String nodeId;
    private final String name;
    private final SocketChannel client;
    private final SocketChannel app;
    /** The port of {@link #app} here, known once its connect started (0 before). */
    private int appPort;

    private final AppSidePorts<Long> appPorts;
    private final RelayDirection upstream;
    private final RelayDirection downstream;
    private final RelayCounters counters;
    private final GuardedCloses closes;
    private final AppCloseGate gate;
    private final java.net.InetSocketAddress clientAddress;
    /** The address and port the client reached (VIP:port): the guard lets FINs and RSTs through per 4-tuple. */
    private final java.net.InetSocketAddress serviceAddress;

    private SelectionKey clientKey;
    private SelectionKey appKey;
    private boolean appConnected;
    private boolean closed;
    private final ReadLog log;
    /** This connection's id in the read log; 0 when there is no log. */
    private final long logId;

    private final boolean adopted;
    /** Stream offsets where this relay's own counts start: 0 for a connection accepted here. */
    private final long clientBase;

    private final long serverBase;
    /** Sequence number of the last read logged: app output read after it depends on it. */
    private long lastReadSeq;
    /** When the relay first held an app-side close of this connection; valid while {@link #holding}. */
    private long appClosedNs;

    private boolean holding;
    /** An app-side failure (RST, refused connect) waiting for the gate: what passing it on does. */
    private Runnable heldAppFailure;
    /** The guard let the app's FIN through to the client (or was given up on): the next drain sends it. */
    private boolean finAuthorized;
    /** The guard refused the app's FIN so far; {@link GuardedCloses} asks again, and the FIN waits till then. */
    private boolean finAwaitingGuard;
    /** A close (FIN or RST) waits for the guard: the connection touches no socket until it goes out. */
    private boolean closeAwaitingGuard;
    /** Since when client bytes wait for an app that accepts none of them; 0 when none wait. */
    private long appBlockedSinceNs;
    /** App output held for the commit, in order: {start offset, required seq, held since ns}. */
    private final ArrayDeque<long[]> held = new ArrayDeque<>();

    private static final int START = 0;
    private static final int SEQ = 1;
    private static final int SINCE = 2;

    /**
     * What the relay keeps lists of, told as it happens so that no turn walks every connection: output starting to
     * wait for the logger, and the connection closing. Relay thread only.
     */
    interface Changes {
        Changes NONE = new Changes() {
            @Override
            public void outputHeld(final RelayConnection connection) {}

            @Override
            public void closed(final RelayConnection connection) {}
        };

        /** App output of {@code connection} now waits for the logger's ack (it held none before). */
        void outputHeld(RelayConnection connection);

        /** {@code connection} closed, both sockets (or gave them up). */
        void closed(RelayConnection connection);
    }

    private Changes changes = Changes.NONE;

    RelayConnection(
            final PrimaryWrapperConfig config,
            final SocketChannel client,
            final SocketChannel app,
            final RelayCounters counters,
            final GuardedCloses closes,
            final AppSidePorts<Long> appPorts,
            final RelayBuffers buffers)
            throws IOException {
        this(config, client, app, counters, closes, appPorts, buffers, null, 0, 0);
    }

    /**
     * A connection whose app side already produced {@code toClient}: relayed to the client before anything else.
     * Null for a connection accepted here; an adopted one (after a takeover) passes its pending bytes, maybe none,
     * and where its streams stood: {@code clientOffset} is the client stream offset of the next byte the client
     * sends, {@code serverOffset} the server stream offset of the first byte of {@code toClient}.
     */
    RelayConnection(
            final PrimaryWrapperConfig config,
            final SocketChannel client,
            final SocketChannel app,
            final RelayCounters counters,
            final GuardedCloses closes,
            final AppSidePorts<Long> appPorts,
            final RelayBuffers buffers,
            final byte[] toClient,
            final long clientOffset,
            final long serverOffset)
            throws IOException {
        this.clientBase = clientOffset;
        this.serverBase = serverOffset;
        this.nodeId = config.nodeId();
        this.closes = closes;
        this.appPorts = appPorts;
        this.gate = config.appCloseGate();
        final ReadLog log = config.readLog();
        this.clientAddress = (java.net.InetSocketAddress) client.getRemoteAddress();
        this.serviceAddress = (java.net.InetSocketAddress) client.getLocalAddress();
        this.name = String.valueOf(clientAddress);
        this.client = client;
        this.app = app;
        this.upstream = new RelayDirection(client, app, buffers);
        this.downstream = new RelayDirection(app, client, buffers, toClient == null ? new byte[0] : toClient);
        this.downstream.beforeSinkShutdown(this::mayPassAppFin);
        this.counters = counters;
        this.log = log;
        // A connection adopted at takeover is logged from where its restored socket started (its streams did not
        // start here): the old primary, following it as a replica after a planned handover, fills what its tap
        // missed from it; a replay cannot start from it.
        this.adopted = toClient != null;
        this.logId =
                log.isEnabled() ? log.opened(clientAddress, serviceAddress, TcpInfo.tryRead(client), clientOffset) : 0;
        // An adopted connection's app socket is connected already: it is known by its port from here on.
        this.appPort = adopted ? Sockets.localPort(app) : 0;
        appPorts.file(appPort, logged());
    }

    /** The read-log id the connection's app-side port is filed as; null when it is not logged. */
    Long logged() {
        return logId == 0 ? null : logId;
    }

    /**
     * Starts the connect to the app (non-blocking), filed under its port in the same step (the app may ask which
     * connection the port is, for the shim's seed, as soon as it accepts, before this thread sees the connect
     * complete).
     *
     * @return whether the connect completed at once.
     */
    boolean connectToApp(final java.net.SocketAddress address) throws IOException {
        appPort = appPorts.connect(app, address, logged());
        return app.isConnected();
    }

    /**
     * The connect to the app failed before the connection was registered: its port is forgotten and its log record
     * ends as reset by the app; the caller resets the client.
     */
    void connectFailed() {
        appPorts.forget(appPort, logged());
        if (logId != 0) {
            log.ended(logId, EndKind.APP_RESET, -1);
        }
    }

    /** An adopted connection whose client had finished sending (its FIN acknowledged) before the takeover. */
    void clientFinishedBeforeAdoption() {
        upstream.endSource();
    }

    /** What this connection has moved, for the admin API; relay thread. */
    RelayedConnection snapshot() {
        final long heldFrom = held.isEmpty() ? downstream.sourceOffset() : held.peekFirst()[START];
        final long nowNs = System.nanoTime();
        return new RelayedConnection(
                name,
                upstream.sourceOffset(),
                upstream.sinkOffset(),
                downstream.sourceOffset(),
                downstream.sinkOffset(),
                Math.max(0, downstream.sourceOffset() - Math.max(heldFrom, downstream.sinkOffset())),
                logId,
                adopted,
                appBlockedSinceNs == 0 ? 0 : (nowNs - appBlockedSinceNs) / 1_000_000,
                holding ? (nowNs - appClosedNs) / 1_000_000 : 0,
                appPort());
    }

    /** The port of the relay's socket to the app (the app sees it as its peer), 0 when unbound. */
    int appPort() {
        return appPort;
    }

    /** An app-side close of this connection waits for the gate. */
    boolean isHoldingAppClose() {
        return holding && !closed;
    }

    /** Asks the gate again about a held app-side close, and passes it on when it may; relay thread. */
    void recheckHeldClose() {
        if (closed) {
            return;
        }
        if (heldAppFailure == null) {
            if (holding) {
                onReady(null); // the held FIN: the next drain asks the gate
            }
        } else if (mayPassAppClose()) {
            final Runnable passOn = heldAppFailure;
            heldAppFailure = null;
            passOn.run();
        }
    }

    /**
     * The app's FIN may reach the client: the gate lets it pass, and the guard lets it through (asked once: a refusal
     * is asked about again by {@link GuardedCloses}, which then sends the FIN with {@link #onFinAuthorized()}).
     */
    private boolean mayPassAppFin() {
        if (finAuthorized) {
            return true;
        }
        if (finAwaitingGuard || !mayPassAppClose()) {
            return false;
        }
        finAuthorized =
                closes.tryAuthorize(client, clientAddress, serviceAddress, this::onFinAuthorized, System.nanoTime());
        finAwaitingGuard = !finAuthorized;
        return finAuthorized;
    }

    /** The guard let the held FIN through at last, or was given up on: the FIN goes out now. */
    private void onFinAuthorized() {
        finAwaitingGuard = false;
        finAuthorized = true;
        onReady(null);
    }

    /** Starts holding an app-side close on the first call; true once the gate lets it pass. */
    private boolean mayPassAppClose() {
        final long nowNs = System.nanoTime();
        if (!holding) {
            holding = true;
            appClosedNs = nowNs;
            counters.appClosesHeld.incrementAndGet();
        }
        if (!gate.mayPass(appClosedNs, nowNs)) {
            return false;
        }
        endHold();
        counters.appClosesPassed.incrementAndGet();
        if (nowNs - appClosedNs > 1_000_000) {
            LOG.debug("[{}] {} app close passed on after {} ms", nodeId, name, (nowNs - appClosedNs) / 1_000_000);
        }
        return true;
    }

    private void endHold() {
        if (holding) {
            holding = false;
            counters.appClosesHeld.decrementAndGet();
        }
    }

    /** The app's side failed (RST, refused connect): touch nothing until the gate says whether to pass it on. */
    private void holdAppFailure(final Runnable passOn) {
        heldAppFailure = passOn;
        stopInterest();
        recheckHeldClose();
    }

    /** Wakes for neither socket: the connection waits for the gate or the guard, not for its sockets. */
    private void stopInterest() {
        for (final SelectionKey key : new SelectionKey[] {clientKey, appKey}) {
            if (key != null && key.isValid()) {
                key.interestOps(0); // a failed connect has closed the app channel and cancelled its key
            }
        }
    }

    /**
     * Closes on purpose with {@code close}, which sends the client a FIN or RST: at once if the guard lets it through,
     * else once {@link GuardedCloses} got its answer, and until then the connection touches no socket.
     */
    private void closeGuarded(final Runnable close) {
        if (closes.tryAuthorize(client, clientAddress, serviceAddress, close, System.nanoTime())) {
            close.run();
            return;
        }
        closeAwaitingGuard = true;
        stopInterest();
    }

    /** Where this connection tells its relay of the {@link Changes} it keeps lists of; before it is registered. */
    void reportTo(final Changes changes) {
        this.changes = changes;
    }

    /** App output is waiting for the logger's ack. */
    boolean hasHeldOutput() {
        return !held.isEmpty();
    }

    void register(final Selector selector, final boolean connectedAlready) throws IOException {
        appConnected = connectedAlready;
        clientKey = client.register(selector, SelectionKey.OP_READ, this);
        appKey = app.register(selector, connectedAlready ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
        if (connectedAlready) {
            onAppConnected();
            updateInterest();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Handles readiness of either socket: completes the app connect, then moves bytes the ways the ready socket
     * allows (both ways for {@code key} null: a timer, an ack, a takeover's adoption, the guard's answer).
     */
    void onReady(final SelectionKey key) {
        if (closed || heldAppFailure != null || closeAwaitingGuard) {
            return;
        }
        final boolean connectedBefore = appConnected;
        if (!appConnected && key == appKey && !tryFinishConnect()) {
            return;
        }
        // A client's request readies only the client's socket: reading the app's too would mostly find it empty
        // (EAGAIN, a system call for nothing on most requests); the selector says when the app has answered.
        final int ready = key == null || !connectedBefore ? -1 : key.readyOps();
        final boolean clientSide = key == clientKey;
        final boolean up = (ready & (clientSide ? SelectionKey.OP_READ : SelectionKey.OP_WRITE)) != 0;
        final boolean down = (ready & (clientSide ? SelectionKey.OP_WRITE : SelectionKey.OP_READ)) != 0;
        try {
            if (up) {
                pump(upstream);
            }
            if (down && appConnected) {
                pump(downstream);
            }
        } catch (final RelayDirection.SideFailure failure) {
            onSideFailed(failure);
            return;
        }
        if (upstream.isFinished() && downstream.isFinished()) {
            LOG.debug("[{}] {} closed by both sides", nodeId, name);
            close();
            return;
        }
        updateInterest();
    }

    /** The app side's connect completed. */
    private void onAppConnected() {
        appConnected = true;
    }

    private boolean tryFinishConnect() {
        try {
            if (!app.finishConnect()) {
                return false;
            }
            onAppConnected();
            app.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return true;
        } catch (final IOException ex) {
            holdAppFailure(() -> {
                counters.appConnectFailures.incrementAndGet();
                LOG.warn("[{}] {} reset: app unreachable: {}", nodeId, name, ex.getMessage());
                closeGuarded(() -> resetAndClose(client, app));
            });
            return false;
        }
    }

    private void pump(final RelayDirection direction) throws RelayDirection.SideFailure {
        final boolean toApp = direction == upstream;
        long writtenToApp = 0;
        for (int round = 0; round < MAX_ROUNDS_PER_EVENT; round++) {
            final boolean endedBefore = direction.sourceEnded();
            final int room = direction.room();
            final int read = direction.fill();
            if (logId != 0) {
                logRead(direction, toApp, read, endedBefore);
            }
            final int written = toApp && !appConnected
                    ? 0
                    : toApp ? direction.drain() : direction.drain(releasable(System.nanoTime()));
            if (written > 0) {
                (toApp ? counters.bytesFromClients : counters.bytesToClients).addAndGet(written);
            }
            writtenToApp += toApp ? written : 0;
            if (read == 0 && written == 0) {
                break;
            }
            if (read < room && !direction.hasPending()) {
                // A short read emptied the socket and the sink took it all: another read would only find it empty
                // (EAGAIN, a syscall per event); the selector, level-triggered, says when more comes.
                break;
            }
        }
        if (toApp) {
            trackAppProgress(writtenToApp > 0 || !direction.hasPending());
        }
    }

    /** Client bytes waiting for the app that the app does not take: the relay's own sign of a hung app. */
    private void trackAppProgress(final boolean progressed) {
        if (progressed) {
            appBlockedSinceNs = 0;
        } else if (appBlockedSinceNs == 0) {
            appBlockedSinceNs = System.nanoTime();
        }
    }

    /** Logs what one fill brought: a client read, an app write, or the end of either. */
    private void logRead(
            final RelayDirection direction, final boolean fromClient, final int read, final boolean endedBefore) {
        if (read > 0 && fromClient) {
            lastReadSeq = log.read(logId, clientBase + direction.sourceOffset() - read, direction.buffer(), read);
        } else if (read > 0) {
            log.wrote(logId, serverBase + direction.sourceOffset() - read, read);
            final long nowNs = System.nanoTime();
            if (lastReadSeq != 0 && log.holdsOutputNow(nowNs)) {
                if (held.isEmpty()) {
                    changes.outputHeld(this);
                }
                held.add(new long[] {direction.sourceOffset() - read, lastReadSeq, nowNs});
            }
        }
        if (!endedBefore && direction.sourceEnded()) {
            log.ended(
                    logId,
                    fromClient ? EndKind.CLIENT_FIN : EndKind.APP_FIN,
                    (fromClient ? clientBase : serverBase) + direction.sourceOffset());
        }
    }

    /** The downstream offset output may reach the client up to now: everything not held for the commit. */
    private long releasable(final long nowNs) {
        while (!held.isEmpty() && log.mayRelease(held.peekFirst()[SEQ], held.peekFirst()[SINCE], nowNs)) {
            held.pollFirst();
        }
        return held.isEmpty() ? Long.MAX_VALUE : held.peekFirst()[START];
    }

    /**
     * Sends output whose reads the logger has acked since (called when an ack arrives, and on a timer).
     *
     * @return whether any held output was released.
     */
    boolean releaseHeld() {
        final int before = held.size();
        onReady(null);
        return held.size() < before;
    }

    private void onSideFailed(final RelayDirection.SideFailure failure) {
        if (failure.side == client) {
            passOnSideFailure(failure);
        } else {
            holdAppFailure(() -> passOnSideFailure(failure));
        }
    }

    private void passOnSideFailure(final RelayDirection.SideFailure failure) {
        final boolean clientFailed = failure.side == client;
        log.ended(logId, clientFailed ? EndKind.CLIENT_RESET : EndKind.APP_RESET, -1);
        (clientFailed ? counters.resetsFromClients : counters.resetsFromApp).incrementAndGet();
        LOG.debug(
                "[{}] {} {} failed ({}): resetting the other side",
                nodeId,
                name,
                clientFailed ? "client" : "app",
                failure.getMessage());
        if (clientFailed) {
            resetAndClose(app, client);
        } else {
            closeGuarded(() -> resetAndClose(client, app));
        }
    }

    /** Passes a failure on: a RST to {@code reset}'s peer, the failed {@code other} closed, the connection ended. */
    private void resetAndClose(final SocketChannel reset, final SocketChannel other) {
        abort(reset);
        closeQuietly(other);
        markClosed();
    }

    private void updateInterest() {
        final boolean releasablePending =
                downstream.hasPending() && (held.isEmpty() || held.peekFirst()[START] > downstream.sinkOffset());
        clientKey.interestOps(
                (upstream.wantsRead() ? SelectionKey.OP_READ : 0) | (releasablePending ? SelectionKey.OP_WRITE : 0));
        if (appConnected) {
            appKey.interestOps((downstream.wantsRead() ? SelectionKey.OP_READ : 0)
                    | (upstream.hasPending() ? SelectionKey.OP_WRITE : 0));
        }
    }

    /**
     * Hands the connection over: the client socket closed by {@code closer} (no FIN, no RST), the app side normally.
     *
     * @return whether the connection was still open.
     */
    boolean abandon(final PrimaryWrapper.SilentCloser closer) {
        if (closed) {
            return false;
        }
        try {
            closer.close(client);
        } catch (final IOException ex) {
            LOG.warn("[{}] {}: could not close silently ({}); closing normally", nodeId, name, ex.getMessage());
            closeQuietly(client);
        }
        closeQuietly(app);
        markClosed();
        return true;
    }

    /**
     * Hands the connection over and keeps its app side for this node's replica (a planned handover): the client's
     * socket is read and closed silently by {@code dumper}, the app's socket leaves this relay open. A connection
     * with a close under way either way (a FIN read or held, a reset waiting) is only abandoned.
     *
     * @return what the app has had and produced, or null when the connection was closed or only abandoned.
     */
    MovedConnection handOver(final PrimaryWrapper.SocketDumper dumper) {
        if (closed) {
            return null;
        }
        if (!appConnected
                || holding
                || closeAwaitingGuard
                || heldAppFailure != null
                || upstream.sourceEnded()
                || downstream.sourceEnded()) {
            abandon(dumper::closeSilently);
            return null;
        }
        final ClientSocketState state;
        try {
            state = dumper.dumpAndClose(client);
        } catch (final IOException ex) {
            LOG.warn(
                    "[{}] {}: could not read the socket in repair mode ({}): the app's side is closed",
                    nodeId,
                    name,
                    ex.getMessage());
            abandon(dumper::closeSilently);
            return null;
        }
        clientKey.cancel();
        appKey.cancel();
        final byte[] relayed = upstream.pendingCopy();
        final byte[] input = java.util.Arrays.copyOf(relayed, relayed.length + state.received().length);
        System.arraycopy(state.received(), 0, input, relayed.length, state.received().length);
        final MovedConnection moved = new MovedConnection(
                clientAddress,
                serviceAddress,
                state,
                clientBase + upstream.sinkOffset(),
                input,
                serverBase + downstream.sinkOffset(),
                downstream.pendingCopy(),
                app,
                false,
                false);
        markClosed();
        return moved;
    }

    /** Closes both sockets normally (FIN where not already sent), once the guard lets a FIN through if one is due. */
    void close() {
        if (closed || closeAwaitingGuard) {
            return;
        }
        log.ended(logId, EndKind.CLOSED, -1);
        if (downstream.isFinished()) {
            closeBoth();
        } else {
            closeGuarded(this::closeBoth);
        }
    }

    private void closeBoth() {
        closeQuietly(client);
        closeQuietly(app);
        markClosed();
    }

    private void markClosed() {
        endHold();
        if (!closed) {
            closed = true;
            counters.connectionsOpen.decrementAndGet();
            upstream.release();
            downstream.release();
            changes.closed(this);
        }
    }

    /** Closes with SO_LINGER 0, so the peer gets a RST: how a reset is passed on. */
    static void abort(final SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (final IOException | RuntimeException ignored) {
            // already closed or never connected: closing is all that is left to do
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(final SocketChannel channel) {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // close of a failed socket: nothing more to release
        }
    }
}
