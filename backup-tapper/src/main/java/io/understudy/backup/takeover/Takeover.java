package io.understudy.backup.takeover;

import io.understudy.backup.repair.RepairWindow;
import io.understudy.backup.repair.RestoreSpec;
import io.understudy.backup.repair.TcpRepair;
import io.understudy.backup.replica.Replica;
import io.understudy.backup.replica.ReplicaManager;
import io.understudy.backup.track.LoggedConnection;
import io.understudy.backup.track.StreamDirection;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackedConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings every protected connection over to this host: feeds the replica every client byte the primary acked,
 * waits until the replica has produced everything the primary sent, then rebuilds the client's socket with
 * TCP_REPAIR (DESIGN.md's order) so the client's connection continues at the exact byte. A state machine driven by
 * {@link #doWork(long)} with the capture stopped, on the caller's thread; {@link #run()} drives it to the end.
 * Time is an argument: the catch-up's deadline and a stuck replica are judged by the {@code nowNs} it is given.
 */
public final class Takeover {
    private static final Logger LOG = LoggerFactory.getLogger(Takeover.class);
    /** Added to the primary's last TSval so the client's PAWS check accepts the restored socket's first segment. */
    private static final long TIMESTAMP_MARGIN = 1000;
    /** Sockets built, or released, in one turn: the turns between say how long each phase took. */
    private static final int SOCKETS_PER_TURN = 256;

    /** The steps of a takeover, in order. Every change goes through {@link #state}. */
    public enum State {
        /** Picks the connections to restore; the client bytes the primary never acked go to their replicas too. */
        SELECT,
        /** Pumps the replicas until each has produced everything the primary sent, or the deadline passes. */
        CATCH_UP,
        /** Builds the client sockets in repair mode, a batch a turn. */
        PREPARE,
        /** Runs the caller's step before release: claims the address and opens the listener. */
        CLAIM,
        /** Takes the sockets out of repair mode and hands them to the relay, a batch a turn. */
        RELEASE,
        /** Every connection is restored or listed as not restored: the report is ready. */
        DONE,
        /** The step before release failed: every socket built was closed and none was released. */
        FAILED
    }

    private final String nodeId;
    private final TcpTracker tracker;
    private final ReplicaManager replicas;
    private final byte[] ourMac;
    private final long catchUpTimeoutNs;
    private final TakeoverStep beforeRelease;
    private final List<byte[]> duplicateAcks = new ArrayList<>();
    private final List<byte[]> nudges = new ArrayList<>();
    private final List<byte[]> resets = new ArrayList<>();
    private final NotRestored notRestored = new NotRestored();
    private final List<TrackedConnection> candidates = new ArrayList<>();
    /** The client bytes beyond the primary's ack given to each replica, copied before the tap lets them go. */
    private final Map<Long, byte[]> takenBytes = new HashMap<>();

    private final Map<Long, CatchUp> waiting = new LinkedHashMap<>();
    private final List<PreparedSocket> prepared = new ArrayList<>();
    private final List<RestoredConnection> restored = new ArrayList<>();
    /** When each state was entered, by the clock the turns were given. */
    private final Map<State, Long> enteredNs = new EnumMap<>(State.class);

    private State state = State.SELECT;
    private long deadlineNs;
    /** The next candidate to build, or prepared socket to release. */
    private int cursor;
    /** The step before release has run (the takeover moves to RELEASE on its next turn). */
    private boolean claimed;

    private long sentAtOnce;
    private long resent;
    private int resentOn;
    private TakeoverReport report;

    public Takeover(
            final String nodeId,
            final TcpTracker tracker,
            final ReplicaManager replicas,
            final byte[] ourMac,
            final long catchUpTimeoutMs,
            final TakeoverStep beforeRelease) {
        this.nodeId = nodeId;
        this.tracker = tracker;
        this.replicas = replicas;
        this.ourMac = ourMac;
        this.catchUpTimeoutNs = catchUpTimeoutMs * 1_000_000L;
        this.beforeRelease = beforeRelease;
    }

    /** One pure ACK per restored connection whose client MAC is known, to be sent a few times after the run. */
    public List<byte[]> duplicateAcks() {
        return duplicateAcks;
    }

    /**
     * ICMP nudges ({@link RetransmitNudge}) per restored connection whose client MAC is known, to be sent after the
     * run: a client backing off from the dead primary retransmits at once.
     */
    public List<byte[]> nudges() {
        return nudges;
    }

    /** RSTs for the connections not restored whose client MAC and sequence numbers are known, to be sent after the run. */
    public List<byte[]> resets() {
        return resets;
    }

    public State state() {
        return state;
    }

    /** What the takeover did; null until {@link State#DONE}. */
    public TakeoverReport report() {
        return report;
    }

    /** Drives the takeover to its end on this thread, sleeping 1 ms on a turn that did nothing (replicas working). */
    public TakeoverReport run() throws IOException, InterruptedException {
        while (state != State.DONE) {
            if (doWork(System.nanoTime()) == 0) {
                Thread.sleep(1);
            }
        }
        return report;
    }

    /**
     * One turn: as much of the current step as can be done now. Returns the work done (0: waiting on the replicas).
     *
     * @throws IOException when the step before release fails (the takeover is then {@link State#FAILED}).
     */
    public int doWork(final long nowNs) throws IOException, InterruptedException {
        return switch (state) {
            case SELECT -> select(nowNs);
            case CATCH_UP -> catchUp(nowNs);
            case PREPARE -> prepare(nowNs);
            case CLAIM -> claim(nowNs);
            case RELEASE -> release(nowNs);
            case DONE, FAILED -> 0;
        };
    }

    private void state(final State next, final long nowNs, final String reason) {
        final Long startNs = enteredNs.get(State.SELECT);
        LOG.info(
                "[{}] takeover {} -> {} at {} ms: {}",
                nodeId,
                state,
                next,
                startNs == null ? 0 : (nowNs - startNs) / 1_000_000,
                reason);
        state = next;
        enteredNs.put(next, nowNs);
    }

    private long msIn(final State step, final State next) {
        return (enteredNs.getOrDefault(next, 0L) - enteredNs.getOrDefault(step, 0L)) / 1_000_000;
    }

    private int select(final long nowNs) {
        enteredNs.put(State.SELECT, nowNs);
        deadlineNs = nowNs + catchUpTimeoutNs;
        for (final TrackedConnection connection : tracker.connections()) {
            if (!connection.announced) {
                if (connection.isOpen() && (connection.server.synSeen || connection.client.ackSent)) {
                    notRestored.add(
                            connection,
                            "the tap missed part of its handshake and the read " + "log did not supply the options");
                }
                continue; // else the handshake never completed: the client will retry its SYN
            }
            final String why =
                    connection.isProtected() && !replicas.isReplay() && replicas.replica(connection.id) == null
                            ? "no replica"
                            : whyNot(connection);
            if (why == null) {
                candidates.add(connection);
            } else if (connection.isOpen()) {
                notRestored.add(connection, why);
            }
        }
        long beyondPrimary = 0;
        int requestsInFlight = 0;
        for (final TrackedConnection connection : candidates) {
            final long taken = connection.takeClientBytesBeyondPrimary();
            beyondPrimary += taken;
            requestsInFlight += taken > 0 ? 1 : 0;
            // Copied before the replica is fed: the tap lets client bytes go once fed and acked.
            takenBytes.put(connection.id, connection.clientBytesBeyondPrimary());
        }
        if (replicas.isReplay()) {
            // Cold standby: each connection's replica starts now and is given every read from the start.
            for (final TrackedConnection connection : candidates) {
                replicas.open(connection);
            }
        }
        candidates.forEach(connection -> waiting.put(connection.id, new CatchUp(connection, nowNs)));
        state(
                State.CATCH_UP,
                nowNs,
                candidates.size() + " connections to restore; " + beyondPrimary + " client bytes the primary never "
                        + "acked, on " + requestsInFlight + " of them, go to the replicas too");
        return 1 + candidates.size();
    }

    /** Feeds and reads every replica still behind; unprotects the stuck ones, and all that remain at the deadline. */
    private int catchUp(final long nowNs) {
        int done = 0;
        final Iterator<CatchUp> it = waiting.values().iterator();
        while (it.hasNext()) {
            final CatchUp catchUp = it.next();
            final Replica replica = replicas.replica(catchUp.connection.id);
            if (replica != null) {
                replicas.pump(replica);
                tracker.drainInbox(nowNs); // the replica's output may fill what the tap missed of the primary's
            }
            // gone: failed while being pumped, and unprotected for it
            if (replica == null
                    || caughtUp(catchUp.connection, replica)
                    || catchUp.stalled(replica, nowNs, replicas.isReplay())) {
                it.remove();
                done++;
            }
        }
        if (waiting.isEmpty()) {
            endCatchUp(nowNs, "every replica caught up or was given up");
            return done + 1;
        }
        if (nowNs - deadlineNs > 0) {
            for (final CatchUp catchUp : waiting.values()) {
                final TrackedConnection connection = catchUp.connection;
                final Replica replica = replicas.replica(connection.id);
                if (replica != null) {
                    connection.unprotect("the replica did not catch up in time: fed " + replica.fedOffset + " of "
                            + connection.clientBytesToFeed()
                            + " client bytes, produced " + replica.producedOffset() + " of "
                            + Math.max(connection.server.nextOffset, connection.server.ackedRaw) + " server bytes");
                }
            }
            endCatchUp(nowNs, waiting.size() + " replicas not caught up by the deadline");
            return done + 1;
        }
        return done;
    }

    private void endCatchUp(final long nowNs, final String reason) {
        waiting.clear();
        candidates.removeIf(
                connection -> !connection.isProtected() && notRestored.add(connection, connection.unprotectedReason));
        state(State.PREPARE, nowNs, reason);
    }

    /** Builds the next batch of client sockets in repair mode. */
    private int prepare(final long nowNs) {
        if (cursor == candidates.size()) {
            cursor = 0;
            state(State.CLAIM, nowNs, prepared.size() + " sockets built in repair mode");
            return 1;
        }
        final int end = Math.min(candidates.size(), cursor + SOCKETS_PER_TURN);
        final int work = end - cursor;
        for (; cursor < end; cursor++) {
            final TrackedConnection connection = candidates.get(cursor);
            try {
                final RestoreSpec spec = spec(connection);
                prepared.add(new PreparedSocket(connection, spec, TcpRepair.prepare(builtInRepair(spec))));
            } catch (final IOException | RuntimeException ex) {
                notRestored.add(connection, "restore failed: " + ex.getMessage());
            }
        }
        return work;
    }

    /**
     * Runs the step before release, then on the next turn (its clock after the step) moves on: the claim's own time
     * shows between the two transitions.
     */
    private int claim(final long nowNs) throws IOException, InterruptedException {
        if (claimed) {
            state(State.RELEASE, nowNs, "the step before release done");
            return 1;
        }
        try {
            beforeRelease.run();
        } catch (final IOException | InterruptedException | RuntimeException ex) {
            prepared.forEach(socket -> closeQuietly(socket.channel));
            state(State.FAILED, nowNs, "the step before release failed: " + ex.getMessage());
            throw ex;
        }
        claimed = true;
        return 1;
    }

    /** Takes the next batch of sockets out of repair mode; reports once all are. */
    private int release(final long nowNs) {
        if (cursor == prepared.size()) {
            finish(nowNs);
            return 1;
        }
        final int end = Math.min(prepared.size(), cursor + SOCKETS_PER_TURN);
        final int work = end - cursor;
        for (; cursor < end; cursor++) {
            release(prepared.get(cursor));
        }
        return work;
    }

    private void release(final PreparedSocket socket) {
        try {
            TcpRepair.leaveRepair(socket.channel);
            if (ourMac != null && socket.connection.clientMac != null) {
                duplicateAcks.add(
                        DuplicateAck.frame(ourMac, socket.connection, socket.spec, windowField(socket.connection)));
            }
            nudges.addAll(RetransmitNudge.framesFor(ourMac, socket.connection, socket.spec));
            final Replica replica = replicas.release(socket.connection.id);
            final byte[] ahead = replica.outputAhead();
            final byte[] resend = resentAtOnce(socket.spec);
            byte[] rest = concat(resend, ahead);
            try {
                rest = sendNow(socket.channel, rest);
            } catch (final IOException ex) {
                // The socket is the relay's now: its next write meets the same error and closes both sides.
                LOG.warn(
                        "[{}] {}: the replica's pending output not sent at once: {}",
                        nodeId,
                        socket.connection,
                        ex.getMessage());
            }
            sentAtOnce += Math.max(0, ahead.length - rest.length);
            resent += Math.min(resend.length, resend.length + ahead.length - rest.length);
            resentOn += resend.length > 0 ? 1 : 0;
            final TrackedConnection connection = socket.connection;
            final byte[] taken = takenBytes.get(connection.id);
            restored.add(new RestoredConnection(
                    connection.toString(),
                    socket.channel,
                    replica.channel,
                    rest,
                    clientFinAcked(connection),
                    new InetSocketAddress(address(connection.key.clientAddress()), connection.key.clientPort()),
                    connection.clientBytesToFeed(),
                    connection.server.nextOffset + ahead.length - rest.length,
                    taken == null ? -1 : connection.clientBytesToFeed() - taken.length,
                    taken == null ? new byte[0] : taken));
        } catch (final IOException ex) {
            notRestored.add(socket.connection, "leaving repair mode failed: " + ex.getMessage());
            closeQuietly(socket.channel);
        }
    }

    private void finish(final long nowNs) {
        for (final TrackedConnection connection : notRestored.connections) {
            if (connection.isOpen()) {
                resets.addAll(ResetFrame.framesFor(ourMac, connection));
            }
        }
        final long restoreMs = (nowNs - enteredNs.get(State.SELECT)) / 1_000_000;
        final long socketNs =
                (enteredNs.get(State.CLAIM) - enteredNs.get(State.PREPARE)) + (nowNs - enteredNs.get(State.RELEASE));
        state(State.DONE, nowNs, restored.size() + " connections restored, " + notRestored.reasons.size() + " not");
        LOG.info(
                "[{}] takeover restored {} connections in {} ms (replicas caught up in {} ms; the sockets built in "
                        + "repair mode in {} ms and released in {} ms, {} us a socket; the claim and the relay's start between, "
                        + "{} ms; {} bytes of the replicas' output sent as each left repair mode, and {} bytes of the "
                        + "primary's the clients had not acknowledged sent again at once, on {} connections); not "
                        + "restored: {}",
                nodeId,
                restored.size(),
                restoreMs,
                msIn(State.CATCH_UP, State.PREPARE),
                msIn(State.PREPARE, State.CLAIM),
                msIn(State.RELEASE, State.DONE),
                prepared.isEmpty() ? 0 : socketNs / 1_000 / prepared.size(),
                msIn(State.CLAIM, State.RELEASE),
                sentAtOnce,
                resent,
                resentOn,
                notRestored.reasons);
        report = new TakeoverReport(restored, notRestored.reasons, restoreMs);
    }

    /**
     * Writes the replica's output the client has not seen (the answer to the request in flight at the crash) to the
     * socket that just left repair mode, without blocking, and returns what did not fit, for the relay. The answer
     * then leaves with the socket's first segment: handed to the relay's thread with the rest, it went out 10-80 ms
     * later in the lab (a capture of a drill: the restored sockets' ACKs at once, the answers trickling after).
     */
    public static byte[] sendNow(final SocketChannel channel, final byte[] output) throws IOException {
        channel.configureBlocking(false);
        if (output.length == 0) {
            return output;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(output);
        channel.write(buffer);
        return Arrays.copyOfRange(output, buffer.position(), output.length);
    }

    /**
     * The socket as it is built in repair mode: without the primary's output the client had not acknowledged, which
     * {@link #resentAtOnce} sends as the socket leaves repair mode. Queued in repair mode those bytes count as sent,
     * and a restored socket has no round-trip estimate: the kernel gives it its fallback timeout, 3 s (1 s for a tail
     * loss probe), so a client that lost them waited that long for them. Sent after repair mode they leave at once;
     * a client that already had them drops the copy and acknowledges, and that acknowledgement is the socket's first
     * round-trip sample. A socket whose FIN followed them keeps them queued as sent, the FIN after them
     * ({@link RestoreSpec#finSent}).
     */
    public static RestoreSpec builtInRepair(final RestoreSpec spec) {
        return spec.finSent() ? spec : spec.withUnackedBytes(new byte[0]);
    }

    /** What {@link #builtInRepair} left out of the socket, to send as it leaves repair mode; empty when nothing. */
    public static byte[] resentAtOnce(final RestoreSpec spec) {
        return spec.finSent() ? new byte[0] : spec.unackedBytes();
    }

    private static byte[] concat(final byte[] first, final byte[] second) {
        if (first.length == 0) {
            return second;
        }
        final byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    public static String whyNot(final TrackedConnection connection) {
        if (!connection.isOpen()) {
            return "closed";
        }
        if (!connection.isProtected()) {
            return connection.unprotectedReason;
        }
        final StreamDirection client = connection.client;
        if (client.ackedRaw > client.nextOffset + (client.isFinished() ? 1 : 0)) {
            final LoggedConnection logged = connection.logged;
            return "client bytes " + client.nextOffset + ".." + client.ackedRaw + " were acked by the primary but "
                    + "are in neither the tap nor the read log"
                    + (logged == null
                            ? " (the log has no record of this " + "connection)"
                            : logged.gap != null ? " (" + logged.gap + ")" : "");
        }
        return null;
    }

    /**
     * One replica's progress during the catch-up. A replica that was given every client byte the primary had and
     * produced nothing for {@link #STALL_NS} will not catch up: what it needs is in neither the tap nor the log.
     */
    private static final class CatchUp {
        final TrackedConnection connection;
        private long fedOffset = -1;
        private long producedOffset = -1;
        private long sinceNs;

        CatchUp(final TrackedConnection connection, final long nowNs) {
            this.connection = connection;
            this.sinceNs = nowNs;
        }

        /** Whether the replica is stuck; unprotects it then, so the others need not wait. */
        boolean stalled(final Replica replica, final long nowNs, final boolean cold) {
            if (replica.fedOffset != fedOffset || replica.producedOffset() != producedOffset) {
                fedOffset = replica.fedOffset;
                producedOffset = replica.producedOffset();
                sinceNs = nowNs;
                return false;
            }
            final long windowNs = cold || producedOffset == 0 ? COLD_STALL_NS : STALL_NS;
            if (fedOffset < connection.clientBytesToFeed() || nowNs - sinceNs < windowNs) {
                return false;
            }
            connection.unprotect("the replica was given every client byte the primary had (" + fedOffset
                    + ") and produced " + producedOffset + " of the "
                    + Math.max(connection.server.nextOffset, connection.server.ackedRaw)
                    + " server bytes the client has seen, nothing more in " + windowNs / 1_000_000
                    + " ms: the client bytes behind the rest are in neither the tap nor the read log");
            return true;
        }
    }

    /** How long a replica that has every input may produce nothing more before it counts as stuck. */
    private static final long STALL_NS = 300_000_000L;
    /**
     * The same for a replica that has produced nothing yet, and for every replica in replay mode: a cold one is a new
     * connection to an app that must accept it and then work through the whole connection's input at once, beside 19
     * others on a loaded host. CI runs saw 5 of 20 produce nothing in 300 ms, and one that had all 8,664 client bytes
     * produce 856 of its 3,424 server bytes and then pause 300 ms; each was lost. The catch-up's own deadline still
     * bounds the wait.
     */
    private static final long COLD_STALL_NS = 1_500_000_000L;

    private static boolean caughtUp(final TrackedConnection connection, final Replica replica) {
        final StreamDirection server = connection.server;
        return replica.fedOffset >= connection.clientBytesToFeed()
                && replica.comparedOffset >= server.nextOffset
                && server.nextOffset + (server.isFinished() ? 1 : 0) >= server.ackedRaw
                && (!server.isFinished() || replica.outputEnded);
    }

    private record PreparedSocket(TrackedConnection connection, RestoreSpec spec, SocketChannel channel) {}

    /** The connections a takeover does not restore: the reason of each by its name (the report's), and the set. */
    private static final class NotRestored {
        final Map<String, String> reasons = new LinkedHashMap<>();
        final List<TrackedConnection> connections = new ArrayList<>();

        /** Lists it (a later reason replaces an earlier one); true when it was not listed yet. */
        boolean add(final TrackedConnection connection, final String why) {
            final boolean first = reasons.put(connection.toString(), why) == null;
            if (first) {
                connections.add(connection);
            }
            return first;
        }
    }

    /** The window the primary last advertised, as the 16-bit field carries it (scaled down). */
    private static int windowField(final TrackedConnection connection) {
        final int shift = connection.windowScalingNegotiated() ? connection.server.windowScale : 0;
        return (int) Math.min(connection.server.window >> shift, 0xFFFF);
    }

    /**
     * The client's FIN was acknowledged by the primary, after every client byte the replica was given: the restored
     * socket's next expected sequence number is one past it (so its ACKs acknowledge it, as the primary's did), the
     * kernel never sees that FIN, and the relay takes the client's input as ended.
     */
    public static boolean clientFinAcked(final TrackedConnection connection) {
        final StreamDirection client = connection.client;
        return client.isFinished()
                && client.ackedByPeer > client.nextOffset
                && connection.clientBytesToFeed() == client.nextOffset;
    }

    /**
     * The client's connection as the primary left it, from what the tap saw. Half-closed ones too: the client's FIN
     * acknowledged by the primary is counted in the receive sequence ({@link #clientFinAcked}), one it did not
     * acknowledge is left out (the client sends it again); the server's FIN is queued after the primary's bytes the
     * client had not acknowledged, as sent ({@link RestoreSpec#finSent}), so the client's acks of it are valid and
     * an unacknowledged one is sent again.
     */
    public static RestoreSpec spec(final TrackedConnection connection) throws IOException {
        final StreamDirection client = connection.client;
        final StreamDirection server = connection.server;
        final long snd = Math.min(server.ackedByPeer, server.nextOffset);
        final long recvOffset = connection.clientBytesToFeed() + (clientFinAcked(connection) ? 1 : 0);
        final long sendSeq = Integer.toUnsignedLong(server.base + (int) snd);
        final long recvSeq = Integer.toUnsignedLong(client.base + (int) recvOffset);
        RestoreSpec spec = RestoreSpec.of(
                new InetSocketAddress(address(connection.key.serverAddress()), connection.key.serverPort()),
                new InetSocketAddress(address(connection.key.clientAddress()), connection.key.clientPort()),
                sendSeq,
                recvSeq,
                client.mss > 0 ? client.mss : 536);
        if (connection.windowScalingNegotiated()) {
            spec = spec.withWindowScales(client.windowScale, server.windowScale);
        }
        spec = spec.withSackPermitted(connection.sackPermitted());
        if (connection.timestampsNegotiated()) {
            spec = spec.withTimestamps(Integer.toUnsignedLong(server.timestampValue) + TIMESTAMP_MARGIN & 0xFFFFFFFFL);
        }
        if (server.nextOffset > snd) {
            spec = spec.withUnackedBytes(server.buffer().copy(snd, server.nextOffset));
        }
        if (server.isFinished()) {
            spec = spec.withFinSent();
        }
        final long clientWindow = Math.max(client.window, 1);
        return spec.withWindow(
                new RepairWindow(recvSeq, clientWindow, clientWindow, Math.max(server.window, 1), recvSeq));
    }

    private static InetAddress address(final int address) throws IOException {
        return InetAddress.getByAddress(
                new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
    }

    private static void closeQuietly(final SocketChannel channel) {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // a socket that failed to restore: nothing more to release
        }
    }
}
