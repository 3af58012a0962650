package io.understudy.backup.replica;

import io.understudy.backup.track.LoggedConnection;
import io.understudy.backup.track.ReplicaSeed;
import io.understudy.backup.track.StreamDirection;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TrackedConnection;
import io.understudy.backup.track.TrackerInbox;
import io.understudy.primary.AppSidePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot replica (ST-TCP style): for every tapped connection with a seen handshake, a connection to the backup's
 * own app, fed the client's bytes as the primary acknowledges them, its output compared with the primary's.
 * A difference is a divergence: counted, reported, and the connection is no longer protected. Runs on the capture
 * thread: its sockets are non-blocking and polled by {@link #doWork(long)}.
 */
public final class ReplicaManager implements TapListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    private final String nodeId;
    private final InetSocketAddress appAddress;
    private final ReplicaCounters counters;
    private final Selector selector;
    private final Map<Long, Replica> replicas = new HashMap<>();
    /** The replicas by the port of their socket to the app, for the seed service's threads. */
    private final AppSidePorts<TrackedConnection> byAppSidePort = new AppSidePorts<>();
    /** Cold standby: no replica runs until takeover, which then replays each connection from the start. */
    private final boolean replay;

    private final DivergencePolicy divergence;
    /** Where replica output that fills a hole in the tap's copy of the primary's output is handed in. */
    private TrackerInbox inbox;
    /**
     * Why this node's app is not in step with the primary's (its shared state is being copied by
     * {@code replica.syncCommand}); null once it is. A connection opened meanwhile is not protected: a replica of it
     * would answer from state the primary's app does not have.
     */
    private volatile String notInStep;

    public ReplicaManager(
            final String nodeId,
            final InetSocketAddress appAddress,
            final ReplicaCounters counters,
            final boolean replay,
            final DivergencePolicy divergence)
            throws IOException {
        this.divergence = divergence;
        this.nodeId = nodeId;
        this.appAddress = appAddress;
        this.counters = counters;
        this.replay = replay;
        this.selector = Selector.open();
    }

    /** The inbox of the tracker whose holes replica output may fill. */
    public void attach(final TrackerInbox inbox) {
        this.inbox = inbox;
    }

    public boolean isReplay() {
        return replay;
    }

    public Replica replica(final long connectionId) {
        return replicas.get(connectionId);
    }

    public int size() {
        return replicas.size();
    }

    @Override
    public void onOpened(final TrackedConnection connection, final long nowNs) {
        if (!connection.handshakeSeen()) {
            connection.unprotect("picked up mid-stream (opened before this tap started, or moved here in a "
                    + "failover): its options are unknown and this node's app has not seen its start");
            return;
        }
        final String waiting = notInStep;
        if (waiting != null) {
            connection.unprotect("opened while " + waiting + ": its replica would answer from state the primary's "
                    + "app does not have");
            return;
        }
        if (replay) {
            return; // started at takeover, by replay
        }
        open(connection);
    }

    /** Connections opened from now on are not protected, for {@code why}; {@code null}: they are again. */
    public void notInStep(final String why) {
        notInStep = why;
    }

    /** Why new connections are not protected now, or null when they are. */
    public String notInStep() {
        return notInStep;
    }

    /** Opens the replica connection to this host's app; the connection is unprotected when that fails. */
    public Replica open(final TrackedConnection connection) {
        SocketChannel channel = null;
        Replica replica = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // Announced late (options from the read log): the tap let go of the primary's first output already.
            replica = new Replica(connection, channel, replay || connection.optionsFromLog, divergence);
            replica.appSidePort = byAppSidePort.connect(channel, appAddress, connection);
            final boolean connected = channel.isConnected();
            replica.key =
                    channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, replica);
            connection.retainForReplica();
            replicas.put(connection.id, replica);
            if (connected) {
                connected(replica);
            }
            return replica;
        } catch (final IOException ex) {
            if (replica != null) {
                byAppSidePort.forget(replica.appSidePort, connection);
            }
            if (channel != null) {
                closeQuietly(channel);
            }
            counters.replicaFailures++;
            connection.unprotect("cannot open the replica connection to " + appAddress + ": " + ex.getMessage());
            LOG.warn("[{}] {} unprotected: {}", nodeId, connection, connection.unprotectedReason);
            return null;
        }
    }

    /**
     * Follows a connection this node served until a planned handover with its own app's connection, as it stood
     * ({@link ReplicaSeed}); the connection is unprotected when the socket cannot be taken on.
     */
    public Replica adopt(final TrackedConnection connection, final ReplicaSeed seed) {
        try {
            final SocketChannel channel = seed.app();
            channel.configureBlocking(false);
            final Replica replica = new Replica(connection, channel, false, divergence);
            replica.seed(seed.clientFedOffset(), seed.serverSentOffset(), seed.serverAhead());
            replica.key = channel.register(selector, SelectionKey.OP_READ, replica);
            connection.retainForReplica();
            connection.clientNeededFrom(seed.clientFedOffset());
            connection.serverNeededFrom(seed.serverSentOffset());
            replicas.put(connection.id, replica);
            connected(replica);
            pump(replica);
            return replicas.get(connection.id);
        } catch (final IOException | RuntimeException ex) {
            counters.replicaFailures++;
            closeQuietly(seed.app());
            connection.unprotect("its app connection from before the handover could not be kept: " + ex.getMessage());
            LOG.warn("[{}] {} unprotected: {}", nodeId, connection, connection.unprotectedReason);
            return null;
        }
    }

    @Override
    public void onAcked(
            final TrackedConnection connection,
            final boolean clientStream,
            final long ackedOffset,
            final int rawAck,
            final long window,
            final long nowNs) {
        final Replica replica = replicas.get(connection.id);
        if (replica != null && clientStream) {
            pump(replica);
        }
    }

    @Override
    public void onData(
            final TrackedConnection connection,
            final boolean fromClient,
            final long streamOffset,
            final byte[] bytes,
            final int offset,
            final int length,
            final long nowNs) {
        final Replica replica = replicas.get(connection.id);
        if (replica != null && !fromClient) {
            compare(replica);
        }
    }

    @Override
    public void onClosed(final TrackedConnection connection, final long nowNs) {
        final Replica replica = remove(connection.id);
        if (replica != null) {
            closeQuietly(replica.channel);
        }
    }

    /** Moves bytes to and from every replica socket that is ready. Never blocks. */
    public int doWork(final long nowNs) {
        try {
            selector.selectNow();
        } catch (final IOException ex) {
            counters.replicaFailures++;
            LOG.error("[{}] replica selector failed: {}", nodeId, ex.toString());
            return 0;
        }
        int work = 0;
        final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            final SelectionKey key = keys.next();
            keys.remove();
            if (key.isValid()) {
                work++;
                pump((Replica) key.attachment());
            }
        }
        return work;
    }

    /** Connects, feeds, reads and compares one replica as far as its socket allows. */
    public void pump(final Replica replica) {
        final TrackedConnection connection = replica.connection;
        try {
            if (!replica.connected) {
                if (!replica.channel.finishConnect()) {
                    return;
                }
                connected(replica);
            }
            replica.feed();
            while (replica.read() > 0) {
                compare(replica);
            }
            compare(replica);
            fillServerHole(replica);
            if (replica.key.isValid()) {
                updateInterest(replica);
            }
        } catch (final IOException | RuntimeException ex) {
            fail(replica, "replica connection failed: " + ex.getMessage());
        }
    }

    /**
     * The tap missed some of the primary's output that the replica has produced: the replica's bytes stand in for
     * it (handed to the tracker), so the streams after the hole can be compared and the client's acks beyond it
     * count.
     */
    private void fillServerHole(final Replica replica) {
        final TrackedConnection connection = replica.connection;
        final StreamDirection server = connection.server;
        if (inbox == null || replica.comparedOffset != server.nextOffset || !replicas.containsKey(connection.id)) {
            return;
        }
        final long holeEnd = Math.min(server.holeEnd(), replica.producedOffset());
        if (holeEnd > server.nextOffset) {
            inbox.replicaOutput(
                    connection, server.nextOffset, replica.aheadPrefix((int) (holeEnd - server.nextOffset)));
        }
    }

    private void updateInterest(final Replica replica) {
        if (!replica.key.isValid()) {
            return;
        }
        final boolean moreToFeed = replica.fedOffset < replica.connection.clientBytesToFeed();
        replica.key.interestOps(
                (replica.outputEnded ? 0 : SelectionKey.OP_READ) | (moreToFeed ? SelectionKey.OP_WRITE : 0));
    }

    /** Compares what the replica produced with the primary's output; a divergence ends protection. */
    private void compare(final Replica replica) {
        final long toleratedBefore = replica.toleratedDifferences();
        final long bytesBefore = replica.differingBytes();
        final String divergence = replica.compare();
        counters.toleratedDifferences += replica.toleratedDifferences() - toleratedBefore;
        counters.toleratedDifferingBytes += replica.differingBytes() - bytesBefore;
        if (divergence != null && replicas.containsKey(replica.connection.id)) {
            counters.divergences++;
            fail(replica, "divergence: " + divergence);
        }
    }

    private void fail(final Replica replica, final String reason) {
        remove(replica.connection.id);
        closeQuietly(replica.channel);
        replica.connection.unprotect(reason);
        counters.replicaFailures++;
        LOG.warn("[{}] {} unprotected: {}", nodeId, replica.connection, reason);
    }

    /** Hands a replica over (takeover): it leaves this manager's selector and is no longer closed by it. */
    public Replica release(final long connectionId) throws IOException {
        final Replica replica = remove(connectionId);
        if (replica != null) {
            replica.key.cancel();
            selector.selectNow();
            replica.channel.configureBlocking(false);
        }
        return replica;
    }

    /** The replica's socket reached the app: its port names the connection (filed already when it connected here). */
    private void connected(final Replica replica) {
        replica.connected = true;
        replica.appSidePort = io.understudy.primary.Sockets.localPort(replica.channel);
        byAppSidePort.file(replica.appSidePort, replica.connection);
    }

    private Replica remove(final long connectionId) {
        final Replica replica = replicas.remove(connectionId);
        if (replica != null) {
            byAppSidePort.forget(replica.appSidePort, replica.connection);
        }
        return replica;
    }

    /**
     * The primary's read-log id of the connection whose replica socket has {@code port} here: -1 while the read log
     * has not matched it, 0 when no replica has that port. Any thread.
     */
    public long primaryIdOfAppSidePort(final int port) {
        final TrackedConnection connection = byAppSidePort.get(port);
        if (connection == null) {
            return 0;
        }
        final LoggedConnection logged = connection.logged;
        return logged == null ? -1 : logged.primaryId;
    }

    public List<Replica> all() {
        return new ArrayList<>(replicas.values());
    }

    @Override
    public void close() {
        replicas.values().forEach(replica -> closeQuietly(replica.channel));
        replicas.clear();
        byAppSidePort.clear();
        try {
            selector.close();
        } catch (final IOException ex) {
            LOG.warn("[{}] closing the replica selector: {}", nodeId, ex.toString());
        }
    }

    private static void closeQuietly(final SocketChannel channel) {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // a replica socket that failed: nothing left to release
        }
    }
}
