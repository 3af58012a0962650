package io.understudy.primary;

import io.understudy.logger.EndKind;
import io.understudy.logger.LogAuth;
import io.understudy.logger.LogShipper;
import io.understudy.logger.PrimaryEnded;
import io.understudy.logger.PrimaryOpened;
import io.understudy.logger.PrimaryRead;
import io.understudy.logger.PrimaryWrite;
import io.understudy.logger.ShippedRecord;
import io.understudy.logger.ShipperStats;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The primary's read log (FT-TCP's wrapper log): every connection's open, every read the relay hands the app (client
 * stream offset and bytes), every write the app makes (server stream offset and length) and every half-close, close
 * and reset, shipped to the logger. With sync commit it also decides when the app's output may reach the client:
 * once the logger acked every read before it, or once waiting has become pointless (the logger unreachable for the
 * commit timeout, or no ack within it), in which case protection is reported degraded and the output goes out anyway;
 * later output then goes out without waiting until the logger has caught up again.
 * With async commit output goes out at once, unless the logger has fallen more than the lag bound behind (the oldest
 * record it has not acked is older): then output waits as with sync commit until the reads before it are acked. A
 * client's request the primary's kernel acked is lost with the primary if the backup's tap missed it and the log
 * does not hold it yet; the bound keeps that window short when the logger's host is busy, because clients waiting for
 * replies send no new requests.
 * Relay-thread methods are not thread-safe (another thread may call them once the relay thread has stopped); records
 * reach the shipper at the relay's {@link #flush()}; {@link #stats()} is thread-safe.
 */
public final class ReadLog implements AutoCloseable {
    /** No log: nothing shipped, output never held. */
    public static final ReadLog NONE = new ReadLog(null, false, 0, 0);

    private final LogShipper shipper;
    private final boolean syncCommit;
    private final long commitTimeoutNs;
    /** Async commit: output waits for the logger once its oldest unacked record is older than this; 0: never. */
    private final long maxLagNs;

    private final AtomicLong heldForLag = new AtomicLong();
    /** A given-up logger counts as caught up again once its oldest unacked record is this young (no lag bound). */
    private static final long CAUGHT_UP_NS = 50_000_000L;

    private final AtomicLong nextConnectionId = new AtomicLong(io.understudy.logger.ConnectionIds.startingNow());
    private final AtomicLong commitTimeouts = new AtomicLong();
    private volatile long lastCommitTimeoutNs;
    /**
     * The logger's acked sequence number when it was given up (a commit timeout, or its host lost), or -1. Until it
     * has caught up ({@link #gaveUp()}), waiting for it again is as pointless as it was then: output goes out without
     * waiting (one timeout paid, not one per reply while the logger stays silent, as when the link to its host is cut).
     */
    private volatile long gaveUpAtAckedSeq = -1;
    /** When the logger was last seen connected (the start counts: the shipper is still connecting then). */
    private volatile long lastConnectedNs = System.nanoTime();
    /** The node lost the logger's host ({@link #peerLost}) and has not heard it since. */
    private volatile boolean peerLost;
    /** Records logged on the relay thread since its last {@link #flush()}, in seq order. */
    private final java.util.List<ShippedRecord> batch = new java.util.ArrayList<>();

    private volatile Runnable onAck = () -> {};

    private ReadLog(
            final LogShipper shipper, final boolean syncCommit, final long commitTimeoutMs, final long maxLagMs) {
        this.shipper = shipper;
        this.syncCommit = syncCommit;
        this.commitTimeoutNs = commitTimeoutMs * 1_000_000L;
        this.maxLagNs = maxLagMs * 1_000_000L;
    }

    /**
     * Ships to the logger at {@code logger}; never fails for an unreachable logger (the shipper keeps retrying and
     * buffers up to {@code bufferBytes}), proving {@code auth} (the read-log key, or {@link LogAuth#INSECURE}).
     * {@code maxLagMs} bounds how far behind the logger may fall with async commit before output waits (0: no
     * bound); output never waits longer than {@code commitTimeoutMs}. With async commit the shipper lingers
     * {@code lingerUs} after a record for more before it writes ({@link LogShipper}); with sync commit it never does.
     */
    public static ReadLog shipping(
            final String nodeId,
            final InetSocketAddress logger,
            final LogAuth auth,
            final long bufferBytes,
            final long reconnectMs,
            final boolean syncCommit,
            final long commitTimeoutMs,
            final long maxLagMs,
            final long lingerUs) {
        if (maxLagMs < 0 || commitTimeoutMs < 0) {
            throw new IllegalArgumentException(
                    "maxLagMs=" + maxLagMs + " and commitTimeoutMs=" + commitTimeoutMs + " must not be negative");
        }
        final ReadLog[] self = new ReadLog[1];
        final LogShipper shipper =
                LogShipper.start(nodeId, logger, auth, bufferBytes, reconnectMs, syncCommit ? 0 : lingerUs, () -> {
                    final ReadLog log = self[0];
                    if (log != null) {
                        log.onAck.run();
                    }
                });
        self[0] = new ReadLog(shipper, syncCommit, commitTimeoutMs, maxLagMs);
        return self[0];
    }

    boolean isEnabled() {
        return shipper != null;
    }

    /** Whether output may ever wait for the logger: sync commit, or async commit with a lag bound. */
    boolean mayHoldOutput() {
        return shipper != null && (syncCommit || maxLagNs > 0);
    }

    /**
     * Must output the app writes now wait for the logger? Always with sync commit; with async commit while the
     * logger lags more than the bound (counted: {@link ReadLogStats#heldForLag()}).
     */
    boolean holdsOutputNow(final long nowNs) {
        if (shipper == null) {
            return false;
        }
        if (gaveUp()) {
            return false;
        }
        if (syncCommit) {
            return true;
        }
        if (maxLagNs > 0 && shipper.oldestPendingAgeNanos(nowNs) > maxLagNs) {
            heldForLag.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Runs {@code action} (on the shipper's thread) after every ack: the relay wakes up to release held output. */
    void onAck(final Runnable action) {
        onAck = action;
    }

    /**
     * Logs a new connection with the options its handshake negotiated ({@code options} null when unknown); returns
     * its id in the log (0 without a log).
     */
    long opened(final InetSocketAddress client, final InetSocketAddress server, final TcpInfo options) {
        return opened(client, server, options, 0);
    }

    /**
     * Like {@link #opened(InetSocketAddress, InetSocketAddress, TcpInfo)}, for a connection whose log starts at client
     * stream offset {@code clientStartOffset} (adopted at a takeover: its earlier bytes were never read here).
     */
    long opened(
            final InetSocketAddress client,
            final InetSocketAddress server,
            final TcpInfo options,
            final long clientStartOffset) {
        if (shipper == null) {
            return 0;
        }
        final long id = nextConnectionId.incrementAndGet();
        final long seq = shipper.nextSeq();
        ship(
                options == null
                        ? new PrimaryOpened(
                                id,
                                System.nanoTime(),
                                seq,
                                ipv4(client),
                                client.getPort(),
                                ipv4(server),
                                server.getPort(),
                                -1,
                                -1,
                                -1,
                                false,
                                false,
                                false,
                                clientStartOffset)
                        : new PrimaryOpened(
                                id,
                                System.nanoTime(),
                                seq,
                                ipv4(client),
                                client.getPort(),
                                ipv4(server),
                                server.getPort(),
                                Math.min(options.sendMss(), 65535),
                                options.sendWindowScale(),
                                options.receiveWindowScale(),
                                options.hasSack(),
                                options.hasTimestamps(),
                                true,
                                clientStartOffset));
        return id;
    }

    /**
     * Logs bytes read from the client: {@code length} bytes of {@code buffer} ending at its position.
     *
     * @return the read's sequence number in the log, 0 without a log.
     */
    long read(final long connectionId, final long clientOffset, final ByteBuffer buffer, final int length) {
        if (shipper == null || length <= 0) {
            return 0;
        }
        final byte[] bytes = new byte[length];
        buffer.get(buffer.position() - length, bytes);
        final long seq = shipper.nextSeq();
        ship(new PrimaryRead(connectionId, System.nanoTime(), seq, clientOffset, bytes));
        return seq;
    }

    void wrote(final long connectionId, final long serverOffset, final int length) {
        if (shipper != null && length > 0) {
            ship(new PrimaryWrite(connectionId, System.nanoTime(), shipper.nextSeq(), serverOffset, length));
        }
    }

    void ended(final long connectionId, final EndKind kind, final long offset) {
        if (shipper != null && connectionId != 0) {
            ship(new PrimaryEnded(connectionId, System.nanoTime(), shipper.nextSeq(), kind, offset));
        }
    }

    private void ship(final ShippedRecord record) {
        batch.add(record);
    }

    /**
     * Hands the records logged since the last flush to the shipper, in one hand-over (one lock, one wake-up of its
     * sender instead of one per record: on a loaded relay the wake-ups cost more CPU than the relaying). The relay
     * flushes at the end of every duty cycle and whenever it stops; records not flushed are not shipped.
     */
    void flush() {
        if (!batch.isEmpty()) {
            shipper.shipAll(batch);
            batch.clear();
        }
    }

    /**
     * May output that depends on the read with sequence number {@code requiredSeq}, held since {@code heldSinceNs},
     * go to the client now?
     */
    boolean mayRelease(final long requiredSeq, final long heldSinceNs, final long nowNs) {
        if (shipper == null || requiredSeq == 0 || shipper.ackedSeq() >= requiredSeq) {
            return true;
        }
        if (gaveUp()) {
            return true;
        }
        if (shipper.isConnected()) {
            lastConnectedNs = nowNs;
        }
        // Waiting is pointless once the logger has been away for the commit timeout, or this output waited as long.
        if (nowNs - lastConnectedNs > commitTimeoutNs || nowNs - heldSinceNs > commitTimeoutNs) {
            commitTimeouts.incrementAndGet();
            lastCommitTimeoutNs = nowNs;
            gaveUpAtAckedSeq = shipper.ackedSeq();
            return true;
        }
        if (peerLost
                && nowNs - heldSinceNs > PEER_LOST_GRACE_NS
                && shipper.oldestPendingAgeNanos(nowNs) > PEER_LOST_GRACE_NS) {
            lastCommitTimeoutNs = nowNs;
            gaveUpAtAckedSeq = shipper.ackedSeq();
            return true;
        }
        return false;
    }

    /**
     * The node lost the peer whose host runs the logger (its fast heartbeat fell silent, or the view dropped it).
     * That alone releases nothing: a loaded but live peer misses beats too, and a reply released before its read is
     * logged is one a later crash of this node can lose (a lab run: three false 100 ms silences in 10 s, a reply
     * released each time, and the crash then lost a connection whose request the lossy tap had missed). Output stops
     * waiting once the logger agrees: a reply held {@link #PEER_LOST_GRACE_NS} while the logger's oldest unacked
     * record is as old. A dead host's logger then costs the clients that grace, not a commit timeout each.
     * {@link #peerHeard()} ends it.
     *
     * @return whether output could wait before (false without a log or when it is already not waiting).
     */
    public boolean peerLost() {
        if (shipper == null || !mayHoldOutput() || gaveUp()) {
            return false;
        }
        peerLost = true;
        return true;
    }

    /**
     * The logger's host is known to be gone: this node has just taken the service over from it (fenced, or judged dead
     * with no fence), and ships to the logger that ran beside the old primary. Output does not wait for that logger
     * until it has caught up ({@link #gaveUp()}: a returning backup's logger acks again). Without this, the new
     * primary's relay held its clients' replies for the lag bound and then until the commit timeout (500 ms) had
     * passed since the log was opened: in a lab capture, each client's first request after the restored one waited
     * 450 ms, twice the failover's own stall.
     *
     * @return whether output could wait before (false without a log, or when it never waits).
     */
    public boolean loggerHostGone() {
        if (shipper == null || !mayHoldOutput()) {
            return false;
        }
        lastCommitTimeoutNs = System.nanoTime();
        gaveUpAtAckedSeq = shipper.ackedSeq();
        return true;
    }

    /** The peer is heard again: held output waits for the logger's ack (or a commit timeout) as before. */
    public void peerHeard() {
        peerLost = false;
    }

    /** A held reply whose read the logger has not acked after this long, with the peer lost, goes out. */
    static final long PEER_LOST_GRACE_NS = 100_000_000L;

    /**
     * Whether the logger was given up (a commit timeout, or its host known gone) and has not caught up since: it acks
     * again and its oldest unacked record is no older than the lag bound ({@link #CAUGHT_UP_NS} without one). Not on
     * its first ack: a logger back from a cut first takes the backlog (34,756 records after 5 s in a lab run, 600 ms
     * of resending), and replies waiting for that would stall every client as long.
     */
    private boolean gaveUp() {
        final long at = gaveUpAtAckedSeq;
        if (at < 0) {
            return false;
        }
        if (shipper.ackedSeq() > at
                && shipper.oldestPendingAgeNanos(System.nanoTime()) <= (maxLagNs > 0 ? maxLagNs : CAUGHT_UP_NS)) {
            gaveUpAtAckedSeq = -1;
            return false;
        }
        return true;
    }

    /** The log's state for the admin API. */
    public ReadLogStats stats() {
        if (shipper == null) {
            return ReadLogStats.DISABLED;
        }
        final ShipperStats s = shipper.stats();
        final long lag = s.bufferedRecords(); // shipped or queued, not yet acked (seqs start at the clock, not at 0)
        final String degraded;
        if (!s.connected()) {
            degraded = "logger unreachable" + (s.lastError() == null ? "" : ": " + s.lastError());
        } else if (s.dropped() > 0) {
            degraded = s.dropped() + " records dropped while the logger was away (buffer full): "
                    + "connections open then cannot be replayed";
        } else if (gaveUp()) {
            degraded =
                    "the logger was given up (no ack within commitTimeoutMs, none for 100 ms with its host lost, or its host "
                            + "taken over from): output goes "
                            + "out without waiting for it until it has caught up";
        } else if (lastCommitTimeoutNs != 0 && System.nanoTime() - lastCommitTimeoutNs < 10_000_000_000L) {
            degraded = "output released without the logger's ack in the last 10 s";
        } else {
            degraded = null;
        }
        return new ReadLogStats(
                true,
                syncCommit ? "sync" : "async",
                s.connected(),
                s.shipped(),
                s.acked(),
                s.dropped(),
                lag,
                shipper.oldestPendingAgeNanos(System.nanoTime()) / 1_000_000L,
                maxLagNs / 1_000_000L,
                heldForLag.get(),
                s.bufferedBytes(),
                commitTimeouts.get(),
                s.lastError(),
                degraded);
    }

    @Override
    public void close() {
        if (shipper != null) {
            flush();
            shipper.close();
        }
    }

    private static int ipv4(final InetSocketAddress address) {
        final byte[] bytes = address.getAddress().getAddress();
        return bytes.length != 4
                ? 0
                : (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
    }
}
