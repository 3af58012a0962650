package io.understudy.backup.track;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every TCP connection to the service from the segments the tap overhears: both streams byte for byte, the
 * handshake's options, acks, windows, timestamps, FINs and RSTs. The server's acks are the truth for what the server
 * has: the tap may have seen bytes the server never received. Single-threaded; time is an argument.
 */
public final class TcpTracker implements StreamDirection.DataSink {
    private static final Logger LOG = LoggerFactory.getLogger(TcpTracker.class);

    private final String nodeId;
    private final TrackerConfig config;
    private final TapListener listener;
    private final TrackerCounters counters;
    private final MemoryBudget budget;
    private final TrackerInbox inbox = new TrackerInbox();
    private final Map<ConnectionKey, TrackedConnection> connections = new HashMap<>();
    private final List<TrackedConnection> history;
    private long nextConnectionId;
    private int pendingConnections;
    /** Connections picked up mid-stream and counted closed by {@link #expire}: the first few are logged. */
    private long closedMidStream;

    private TrackedConnection current;
    private boolean currentFromClient;

    public TcpTracker(
            final String nodeId,
            final TrackerConfig config,
            final TapListener listener,
            final TrackerCounters counters,
            final boolean keepHistory) {
        this(nodeId, config, listener, counters, keepHistory, 1);
    }

    /**
     * @param firstConnectionId the id of the first connection; a live tap starts from the clock so that ids stay
     *                          unique in the event log across restarts.
     */
    public TcpTracker(
            final String nodeId,
            final TrackerConfig config,
            final TapListener listener,
            final TrackerCounters counters,
            final boolean keepHistory,
            final long firstConnectionId) {
        this.nextConnectionId = firstConnectionId;
        this.nodeId = nodeId;
        this.config = config;
        this.listener = listener;
        this.counters = counters;
        this.budget = new MemoryBudget(config.globalCapBytes());
        this.history = keepHistory ? new ArrayList<>() : null;
    }

    public MemoryBudget budget() {
        return budget;
    }

    /** Where the tracker's consumers hand it what they learned elsewhere; taken in by {@link #drainInbox}. */
    public TrackerInbox inbox() {
        return inbox;
    }

    /**
     * Takes in every event the consumers handed in, and those that taking them in led to (a fill of the server
     * stream makes the replica compare, which may find more to fill). Returns how many.
     */
    public int drainInbox(final long nowNs) {
        int taken = 0;
        while (!inbox.isEmpty()) {
            TrackerInbox.Event event;
            while ((event = inbox.poll()) != null) {
                taken++;
                if (event instanceof TrackerInbox.ReplicaOutput output) {
                    take(output, nowNs);
                } else if (event instanceof TrackerInbox.Options options) {
                    final TrackedConnection connection = connections.get(options.key());
                    if (connection != null) {
                        announceWithOptions(
                                connection,
                                options.mss(),
                                options.clientWindowScale(),
                                options.serverWindowScale(),
                                options.sackPermitted(),
                                options.timestamps(),
                                nowNs);
                    }
                }
            }
            TrackedConnection repair;
            while ((repair = inbox.pollLogRepair()) != null) {
                taken++;
                repairFromLog(repair, nowNs);
            }
        }
        return taken;
    }

    private void take(final TrackerInbox.ReplicaOutput output, final long nowNs) {
        final TrackedConnection connection = output.connection();
        // Gone or replaced since it was handed in, or its replica diverged or failed: its output stands for nothing.
        if (isTrackedAndOpen(connection) && connection.isProtected()) {
            counters.bytesFromReplica += fill(connection, false, output.serverOffset(), output.bytes(), nowNs);
        }
    }

    private boolean isTrackedAndOpen(final TrackedConnection connection) {
        return connections.get(connection.key) == connection && connection.isOpen();
    }

    /** Connections tracked now, closed ones included until their linger time passes. */
    public Iterable<TrackedConnection> connections() {
        return connections.values();
    }

    /**
     * Fills what the tap's copy of the client stream lacks with the primary's logged reads, from where it ends.
     * Whatever the primary read, it had received: the log's bytes count even where the tap saw no hole (it may have
     * missed a request and the primary's ack of it alike).
     */
    private void repairFromLog(final TrackedConnection connection, final long nowNs) {
        final LoggedConnection logged = connection.logged;
        if (logged == null || !isTrackedAndOpen(connection)) {
            return;
        }
        final StreamDirection client = connection.client;
        java.util.Map.Entry<Long, byte[]> read;
        while ((read = logged.readAt(client.nextOffset)) != null) {
            final long before = client.nextOffset;
            if (fill(connection, true, read.getKey(), read.getValue(), nowNs) == 0) {
                return;
            }
            // The log's bytes, not the pieces the tap held beyond the hole that became contiguous with them.
            counters.bytesFromLog += Math.min(read.getKey() + read.getValue().length, client.nextOffset) - before;
        }
    }

    /**
     * Fills what the tap missed of one stream with bytes learned elsewhere (the primary's read log, the replica's
     * output): they are taken as if a segment had carried them, and an ack the tap already saw beyond the hole
     * counts once the hole is filled.
     *
     * @return bytes that became contiguous.
     */
    private long fill(
            final TrackedConnection connection,
            final boolean fromClient,
            final long offset,
            final byte[] bytes,
            final long nowNs) {
        final StreamDirection self = connection.stream(fromClient);
        if (offset + bytes.length <= self.nextOffset || offset > self.nextOffset || connection.isMidStream()) {
            return 0;
        }
        final long before = self.nextOffset;
        takePayload(connection, self, fromClient, offset, bytes, 0, bytes.length, nowNs);
        final long filled = self.nextOffset - before;
        if (filled > 0) {
            final StreamDirection acker = connection.stream(!fromClient);
            advanceAcked(connection, !fromClient, self, self.ackedRaw, acker.lastAck, nowNs);
        }
        return filled;
    }

    /**
     * Announces a connection whose handshake the tap half missed (one SYN seen), with the options the primary's
     * kernel negotiated, as its read log tells them. The missing side's ISN is one before its stream's base.
     *
     * @return whether the connection was announced now.
     */
    private boolean announceWithOptions(
            final TrackedConnection connection,
            final int mss,
            final int clientWindowScale,
            final int serverWindowScale,
            final boolean sackPermitted,
            final boolean timestamps,
            final long nowNs) {
        final StreamDirection client = connection.client;
        final StreamDirection server = connection.server;
        if (connection.announced
                || !(client.synSeen || server.synSeen)
                || !client.based
                || !server.based
                || !connection.isOpen()) {
            return false;
        }
        fillOptions(client, mss, clientWindowScale, sackPermitted, timestamps);
        fillOptions(server, mss, serverWindowScale, sackPermitted, timestamps);
        connection.optionsFromLog = true;
        announce(connection, nowNs);
        return true;
    }

    /**
     * Tracks a connection this node served until a planned handover, as its kernel left it ({@link ReplicaSeed}):
     * announced to nobody (the caller attaches its replica). Returns null when the 4-tuple is tracked already or the
     * table is full.
     */
    public TrackedConnection seed(final ReplicaSeed seed, final long nowNs) {
        final ConnectionKey key = seed.key();
        if (connections.containsKey(key)) {
            return null;
        }
        final TrackedConnection connection = open(key, true, nowNs);
        if (connection == null) {
            return null;
        }
        final long clientEnd = seed.clientEndOffset();
        connection.client.seed(
                seed.clientSequenceBase(),
                seed.mss(),
                seed.clientWindowScale(),
                seed.sackPermitted(),
                seed.timestamps(),
                seed.clientWindow(),
                seed.clientFedOffset(),
                seed.clientBytes(),
                clientEnd,
                seed.serverSequenceBase() + (int) seed.serverAckedOffset());
        connection.server.seed(
                seed.serverSequenceBase(),
                seed.mss(),
                seed.serverWindowScale(),
                seed.sackPermitted(),
                seed.timestamps(),
                seed.serverWindow(),
                seed.serverAckedOffset(),
                seed.serverUnacked(),
                seed.serverAckedOffset(),
                seed.clientSequenceBase() + (int) clientEnd);
        if (seed.timestamps()) {
            connection.server.timestampSeen = true;
            connection.server.timestampValue = (int) seed.serverTimestamp();
        }
        connection.announced = true;
        return connection;
    }

    private static void fillOptions(
            final StreamDirection side,
            final int mss,
            final int windowScale,
            final boolean sackPermitted,
            final boolean timestamps) {
        if (!side.synSeen) {
            side.isn = side.base - 1;
            side.mss = mss;
            side.windowScale = windowScale;
            side.sackPermitted = sackPermitted;
            side.timestampsOffered = timestamps;
        }
    }

    /** Every connection ever tracked, in the order first seen (only with keepHistory). */
    public List<TrackedConnection> history() {
        return history == null ? List.of() : List.copyOf(history);
    }

    public void onSegment(final TcpSegment segment, final long nowNs) {
        counters.segments++;
        final boolean fromClient;
        if (config.servicePorts().contains(segment.destinationPort)) {
            fromClient = true;
        } else if (config.servicePorts().contains(segment.sourcePort)) {
            fromClient = false;
        } else {
            counters.notService++;
            return;
        }
        final TrackedConnection connection = connectionFor(segment, fromClient, nowNs);
        if (connection != null) {
            connection.lastSeenNs = nowNs;
            if (fromClient && connection.clientMac == null && segment.sourceMacOffset >= 0) {
                connection.clientMac = java.util.Arrays.copyOfRange(
                        segment.frame, segment.sourceMacOffset, segment.sourceMacOffset + 6);
            }
            final long sentBefore = connection.server.nextOffset;
            final long ackedBefore = connection.client.ackedByPeer;
            track(connection, segment, fromClient, nowNs);
            updatePending(connection);
            if (!fromClient
                    && (connection.server.nextOffset > sentBefore || connection.client.ackedByPeer > ackedBefore)) {
                counters.lastServerProgressNs = nowNs;
                // bytes still unacked now have waited at least since this progress, and nothing is known before it
                counters.clientWaitingSinceNs = pendingConnections > 0 ? nowNs : 0;
            } else if (pendingConnections == 0) {
                counters.clientWaitingSinceNs = 0;
            } else if (counters.clientWaitingSinceNs == 0) {
                counters.clientWaitingSinceNs = nowNs; // the first client bytes to wait since the last progress
            }
        }
    }

    /** How many mid-stream pickups are logged at INFO (with the segment that started each); the rest at DEBUG. */
    private static final long MID_STREAM_LOGGED = 50;

    private TrackedConnection connectionFor(final TcpSegment segment, final boolean fromClient, final long nowNs) {
        final ConnectionKey key = fromClient
                ? new ConnectionKey(
                        segment.sourceAddress, segment.sourcePort, segment.destinationAddress, segment.destinationPort)
                : new ConnectionKey(
                        segment.destinationAddress, segment.destinationPort, segment.sourceAddress, segment.sourcePort);
        final TrackedConnection existing = connections.get(key);
        final boolean clientSyn = fromClient && segment.has(TcpSegment.SYN) && !segment.has(TcpSegment.ACK);
        if (existing != null && !(clientSyn && startsNewConnection(existing, segment))) {
            return existing;
        }
        if (existing == null && segment.has(TcpSegment.RST)) {
            return null; // a stray reset: nothing to track
        }
        if (existing != null) {
            forget(existing, nowNs);
        }
        // A SYN-ACK opens it too: the tap missed the client's SYN, and the read log may supply the options later.
        final boolean serverSynAck = !fromClient && segment.has(TcpSegment.SYN) && segment.has(TcpSegment.ACK);
        final TrackedConnection opened = open(key, clientSyn || serverSynAck, nowNs);
        if (opened != null && !clientSyn && !serverSynAck && counters.connectionsMidStream <= MID_STREAM_LOGGED) {
            // Rare once the tap runs (a segment of a connection it never saw open): what started it is the clue.
            LOG.info("[{}] {} picked up mid-stream, from {}", nodeId, opened, segment);
        }
        return opened;
    }

    /** A client SYN on a known 4-tuple is a new connection unless it repeats the SYN already seen. */
    private static boolean startsNewConnection(final TrackedConnection existing, final TcpSegment syn) {
        return !existing.client.synSeen || existing.client.isn != syn.sequence || !existing.isOpen();
    }

    private TrackedConnection open(final ConnectionKey key, final boolean withSyn, final long nowNs) {
        if (connections.size() >= config.maxConnections()) {
            counters.connectionsRefusedOverLimit++;
            return null;
        }
        final TrackedConnection connection = new TrackedConnection(
                nextConnectionId++,
                key,
                new StreamDirection(new StreamBuffer(budget, config.streamCapBytes()), config.maxPiecesAhead()),
                new StreamDirection(new StreamBuffer(budget, config.streamCapBytes()), config.maxPiecesAhead()),
                nowNs);
        final TrackedConnection replaced = connections.put(key, connection);
        counters.connectionsTracked = connections.size();
        if (replaced != null) {
            notPending(replaced);
        }
        if (history != null) {
            history.add(connection);
        }
        counters.connectionsOpened++;
        if (!withSyn) {
            counters.connectionsMidStream++;
            LOG.debug("[{}] {} picked up mid-stream: options unknown", nodeId, connection);
            announce(connection, nowNs);
        }
        return connection;
    }

    private void track(
            final TrackedConnection connection, final TcpSegment segment, final boolean fromClient, final long nowNs) {
        final StreamDirection self = connection.stream(fromClient);
        final boolean syn = segment.has(TcpSegment.SYN);
        if (syn && !self.synSeen && (fromClient != segment.has(TcpSegment.ACK))) {
            self.onSyn(segment);
            if (connection.handshakeSeen()) {
                announce(connection, nowNs);
            }
        }
        if (segment.payloadLength > 0 || segment.has(TcpSegment.FIN) || segment.has(TcpSegment.RST)) {
            // A bare ACK does not place a stream picked up mid-way: keep-alives and window probes (what Linux sends
            // first when a socket leaves TCP_REPAIR) sit at snd_una - 1. The peer's ack number places it instead.
            self.baseOn(segment.sequence);
        }
        if (segment.hasTimestamp) {
            self.timestampSeen = true;
            self.timestampValue = segment.timestampValue;
            self.timestampEcho = segment.timestampEcho;
        }
        final int shift = !syn && connection.windowScalingNegotiated() ? self.windowScale : 0;
        self.window = (long) segment.window << shift;

        final long start = self.offsetOf(segment.sequence + (syn ? 1 : 0));
        if (segment.payloadLength > 0) {
            onPayload(connection, self, fromClient, start, segment, nowNs);
        }
        if (segment.has(TcpSegment.FIN)) {
            self.onFin(start + segment.payloadLength);
        }
        if (segment.has(TcpSegment.ACK)) {
            onAck(connection, fromClient, segment, nowNs);
        }
        updateState(connection, segment, nowNs);
    }

    /** Tells listeners of a connection once: when its handshake completes, or when it is picked up mid-stream. */
    private void announce(final TrackedConnection connection, final long nowNs) {
        if (!connection.announced) {
            connection.announced = true;
            listener.onOpened(connection, nowNs);
        }
    }

    private void onPayload(
            final TrackedConnection connection,
            final StreamDirection self,
            final boolean fromClient,
            final long start,
            final TcpSegment segment,
            final long nowNs) {
        takePayload(
                connection,
                self,
                fromClient,
                start,
                segment.frame,
                segment.payloadOffset,
                segment.payloadLength,
                nowNs);
    }

    private void takePayload(
            final TrackedConnection connection,
            final StreamDirection self,
            final boolean fromClient,
            final long start,
            final byte[] frame,
            final int payloadOffset,
            final int payloadLength,
            final long nowNs) {
        final long retransmittedBefore = self.retransmittedSegments;
        final long outOfOrderBefore = self.outOfOrderSegments;
        final boolean overflowedBefore = self.buffer().hasOverflowed();
        current = connection;
        currentFromClient = fromClient;
        currentNowNs = nowNs;
        self.onPayload(start, frame, payloadOffset, payloadLength, this);
        current = null;
        counters.retransmittedSegments += self.retransmittedSegments - retransmittedBefore;
        counters.outOfOrderSegments += self.outOfOrderSegments - outOfOrderBefore;
        if (!overflowedBefore && self.buffer().hasOverflowed()) {
            counters.overflowedStreams++;
            LOG.warn(
                    "[{}] {}: {} stream over its retention cap ({} bytes per stream, {} of {} bytes in use "
                            + "overall): this connection can no longer be restored",
                    nodeId,
                    connection,
                    fromClient ? "client" : "server",
                    config.streamCapBytes(),
                    budget.usedBytes(),
                    budget.capBytes());
        }
    }

    private long currentNowNs;

    @Override
    public void onContiguous(
            final StreamDirection direction,
            final long streamOffset,
            final byte[] bytes,
            final int offset,
            final int length) {
        if (current.announced) {
            listener.onData(current, currentFromClient, streamOffset, bytes, offset, length, currentNowNs);
        }
    }

    private void onAck(
            final TrackedConnection connection, final boolean fromClient, final TcpSegment segment, final long nowNs) {
        final StreamDirection self = connection.stream(fromClient);
        final StreamDirection peer = connection.stream(!fromClient);
        self.ackSent = true;
        self.lastAck = segment.acknowledgement;
        peer.baseOn(segment.acknowledgement);
        final long raw = peer.offsetOf(segment.acknowledgement);
        if (raw > peer.ackedRaw && raw - peer.nextOffset < MAX_ACK_AHEAD) {
            peer.ackedRaw = raw;
        }
        advanceAcked(connection, fromClient, peer, raw, segment.acknowledgement, nowNs);
    }

    /** Acks of bytes beyond what the tap has are believed only this far ahead (a hole of up to 1 GiB). */
    private static final long MAX_ACK_AHEAD = 1L << 30;

    /** The peer's stream is acked up to {@code rawOffset}, as far as the tap has its bytes. */
    private void advanceAcked(
            final TrackedConnection connection,
            final boolean ackerIsClient,
            final StreamDirection peer,
            final long rawOffset,
            final int rawAck,
            final long nowNs) {
        final long limit = peer.nextOffset + (peer.isFinished() ? 1 : 0);
        final long acked = Math.min(rawOffset, limit);
        if (acked > peer.ackedByPeer) {
            peer.ackedByPeer = acked;
            connection.releaseAcked(!ackerIsClient);
            if (connection.announced) {
                listener.onAcked(
                        connection, !ackerIsClient, acked, rawAck, connection.stream(ackerIsClient).window, nowNs);
            }
        }
    }

    private void updateState(final TrackedConnection connection, final TcpSegment segment, final long nowNs) {
        if (!connection.isOpen()) {
            return;
        }
        if (segment.has(TcpSegment.RST)) {
            ended(connection, ConnectionState.RESET, nowNs);
        } else if (connection.client.finSeen && connection.server.finSeen) {
            ended(connection, ConnectionState.CLOSED, nowNs);
        }
    }

    private void ended(final TrackedConnection connection, final ConnectionState state, final long nowNs) {
        connection.state = state;
        if (state == ConnectionState.RESET) {
            counters.connectionsReset++;
        } else {
            counters.connectionsClosed++;
        }
        connection.closedAtNs = nowNs;
        LOG.debug("[{}] {} after {} segments", nodeId, connection, counters.segments);
        if (connection.announced) {
            listener.onClosed(connection, nowNs);
        }
    }

    /**
     * Drops connections that closed more than the linger time ago; counts as closed those the tap picked up while they
     * closed (see {@link #closedBeforeTheTapSawItAll}). Returns how many were dropped or closed.
     */
    public int expire(final long nowNs) {
        int dropped = 0;
        final Iterator<TrackedConnection> it = connections.values().iterator();
        while (it.hasNext()) {
            final TrackedConnection connection = it.next();
            if (closedBeforeTheTapSawItAll(connection, nowNs)) {
                // Logged for the first few only, as the pickups are: a stranger's stray FINs must not flood the log.
                if (++closedMidStream <= MID_STREAM_LOGGED) {
                    LOG.info(
                            "[{}] {}: picked up mid-stream, a FIN and then nothing for {} ms: closed before the tap saw "
                                    + "both FINs, counted as closed",
                            nodeId,
                            connection,
                            config.closedLingerNs() / 1_000_000);
                }
                ended(connection, ConnectionState.CLOSED, nowNs);
                notPending(connection);
                dropped++;
            } else if (!connection.isOpen() && nowNs - connection.closedAtNs >= config.closedLingerNs()) {
                it.remove();
                release(connection);
                dropped++;
            }
        }
        counters.connectionsTracked = connections.size();
        return dropped;
    }

    /**
     * A connection picked up mid-stream that showed a FIN and then nothing for the linger time: the tap came in during
     * its close, after the other side's FIN, so it never sees both and would count it open (and unprotected, an alarm
     * that never clears) for good. Its options unknown (neither the tap nor the read log had its handshake), it cannot
     * be restored, so counting it closed loses nothing; a segment that still comes later picks it up again.
     */
    private boolean closedBeforeTheTapSawItAll(final TrackedConnection connection, final long nowNs) {
        return connection.isOpen()
                && connection.isMidStream()
                && (connection.client.finSeen || connection.server.finSeen)
                && nowNs - connection.lastSeenNs >= config.closedLingerNs();
    }

    /**
     * A new connection took the 4-tuple: the old one is dropped. One still open ended without the tap seeing how (its
     * FINs or RST were missed): listeners are told it ended, so its replica and its read log go with it.
     */
    private void forget(final TrackedConnection connection, final long nowNs) {
        connections.remove(connection.key);
        counters.connectionsTracked = connections.size();
        if (connection.isOpen()) {
            connection.state = ConnectionState.REPLACED;
            connection.closedAtNs = nowNs;
            LOG.debug("[{}] {}: a new connection took its 4-tuple", nodeId, connection);
            if (connection.announced) {
                listener.onClosed(connection, nowNs);
            }
        }
        release(connection);
    }

    /**
     * Keeps {@link #pendingConnections}: open connections with client bytes the server has not acked. O(1) a
     * segment, so the tap can say at wire speed whether clients wait on a server that makes no progress.
     */
    private void updatePending(final TrackedConnection connection) {
        final boolean pending = connection.isOpen() && connection.client.nextOffset > connection.client.ackedByPeer;
        if (pending != connection.clientPending) {
            connection.clientPending = pending;
            pendingConnections += pending ? 1 : -1;
        }
    }

    private void notPending(final TrackedConnection connection) {
        if (connection.clientPending) {
            connection.clientPending = false;
            pendingConnections--;
        }
    }

    private void release(final TrackedConnection connection) {
        notPending(connection);
        connection.releaseAll();
    }
}
