package io.understudy.logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side of the log: queues {@link ShippedRecord}s without blocking and ships them to a
 * {@link LogServer} in seq order (protocol in {@link LogProtocol}), keeping each until the logger acknowledges it.
 * After a lost connection it reconnects every {@code reconnectMs} and resends everything unacknowledged; the
 * server drops what it already holds, so nothing is logged twice. When the logger stays away long enough for the
 * buffer to fill, {@link #ship(ShippedRecord)} refuses records and counts them: the log then has a gap.
 *
 * <p>Every connection proves the {@link LogAuth} key first ({@link LogHandshake}). Seqs on the wire are contiguous:
 * before a record whose seq is not the previous one's + 1 (the first of a new writer, or after records this shipper
 * dropped) it sends a GAP announcing it; with nothing to ship it sends a KEEPALIVE every
 * {@link LogProtocol#KEEPALIVE_INTERVAL_MS}, so the logger keeps its one writer's place for it.
 *
 * <p>Threads: a sender thread connects and writes; while connected, a second thread reads the ACKs. Both are
 * daemons named after the node (ship-send-NODE, ship-acks-NODE).
 */
public final class LogShipper implements AutoCloseable {
    /** Seqs are milliseconds shifted by this many bits: room for 2^20 records per millisecond of a writer's life. */
    static final int SEQ_SHIFT = 20;

    static final int CONNECT_TIMEOUT_MS = 2_000;
    static final int WELCOME_TIMEOUT_MS = 5_000;
    static final long CLOSE_JOIN_MS = 1_000;
    /** The most records written before one flush. */
    static final int MAX_BATCH_RECORDS = 256;
    /** The longest a sender may linger for more records before a write. */
    public static final long MAX_LINGER_US = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(LogShipper.class);

    private final String nodeId;
    private final byte[] nodeIdBytes;
    private final InetSocketAddress logger;
    private final LogAuth auth;
    private final long maxBufferedBytes;
    private final long reconnectMs;
    private final long lingerNs;
    private final Runnable onAck;
    private final AtomicLong seqs = new AtomicLong(firstSeq());
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread sender;
    // Guarded by lock: records in seq order, first those sent on this connection, then those still to send.
    private final ArrayDeque<Pending> unacked = new ArrayDeque<>();
    private final ArrayDeque<Pending> unsent = new ArrayDeque<>();
    private final LogRecordCodec codec = new LogRecordCodec();
    private long bufferedBytes;
    private long shipped;
    private long acked;
    private long dropped;
    private final AtomicLong writes = new AtomicLong();
    private volatile long shippedSeq;
    private volatile long ackedSeq;
    private volatile long lastAckNanoTime;
    /** System.nanoTime() when the oldest record the logger has not acked was shipped; 0 when none is pending. */
    private volatile long oldestPendingNanoTime;

    private volatile String lastError;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile Socket socket;
    private String lastLoggedError;

    private record Pending(long seq, byte[] bytes, long shippedNanoTime) {}

    /** A connection past the handshake and WELCOME. */
    private record Link(FrameInput in, FrameOutput out, long logLastSeq) {}

    /**
     * One connection's state shared by the sender and the ACK reader. The first failure wins, except that the
     * logger's own ERROR replaces a socket error: it says why (e.g. the logger's disk is full).
     */
    private final class Connection {
        private final Socket socket;
        private volatile Exception failure;

        Connection(final Socket socket) {
            this.socket = socket;
        }

        void lose(final Exception cause) {
            lock.lock();
            try {
                if (failure == null || failure instanceof IOException && cause instanceof UnderstudyException) {
                    failure = cause;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean isLost() {
            return failure != null;
        }
    }

    private LogShipper(
            final String nodeId,
            final InetSocketAddress logger,
            final LogAuth auth,
            final long maxBufferedBytes,
            final long reconnectMs,
            final long lingerUs,
            final Runnable onAck) {
        this.nodeId = nodeId;
        this.nodeIdBytes = LogProtocol.nodeIdBytes(nodeId);
        this.logger = Checks.notNull("logger", logger);
        this.auth = Checks.notNull("auth", auth);
        this.maxBufferedBytes = Checks.inRange("maxBufferedBytes", maxBufferedBytes, 1, Long.MAX_VALUE);
        this.reconnectMs = Checks.inRange("reconnectMs", reconnectMs, 1, TimeUnit.HOURS.toMillis(1));
        this.lingerNs = TimeUnit.MICROSECONDS.toNanos(Checks.inRange("lingerUs", lingerUs, 0, MAX_LINGER_US));
        this.onAck = Checks.notNull("onAck", onAck);
        this.sender = new Thread(this::run, "ship-send-" + nodeId);
        sender.setDaemon(true);
    }

    /**
     * Starts shipping to {@code logger}. Never fails for an unreachable logger: it keeps trying every
     * {@code reconnectMs} while {@link #ship(ShippedRecord)} buffers up to {@code maxBufferedBytes}.
     *
     * @param auth  the read-log key to prove to the logger (and to have it prove), or {@link LogAuth#INSECURE}.
     * @param onAck called on the ACK thread after each acknowledgement; must be cheap and must not block.
     * @throws UnderstudyException when an argument is out of range.
     */
    public static LogShipper start(
            final String nodeId,
            final InetSocketAddress logger,
            final LogAuth auth,
            final long maxBufferedBytes,
            final long reconnectMs,
            final Runnable onAck) {
        return start(nodeId, logger, auth, maxBufferedBytes, reconnectMs, 0, onAck);
    }

    /**
     * As {@link #start(String, InetSocketAddress, LogAuth, long, long, Runnable)}, with a linger: after the first
     * record of a quiet spell, the sender waits {@code lingerUs} for more before it writes, so that a busy writer's
     * records go out in fewer writes (and come back in fewer ACKs), at the cost of that much more lag. 0: write at
     * once, as a writer that waits for each ACK (sync commit) needs.
     *
     * @throws UnderstudyException when an argument is out of range (lingerUs: 0 to {@link #MAX_LINGER_US}).
     */
    public static LogShipper start(
            final String nodeId,
            final InetSocketAddress logger,
            final LogAuth auth,
            final long maxBufferedBytes,
            final long reconnectMs,
            final long lingerUs,
            final Runnable onAck) {
        final LogShipper shipper = new LogShipper(nodeId, logger, auth, maxBufferedBytes, reconnectMs, lingerUs, onAck);
        shipper.sender.start();
        LOG.info(
                "shipper {}: shipping to {}, auth={}, maxBufferedBytes={}, reconnectMs={}, lingerUs={}",
                nodeId,
                logger,
                auth,
                maxBufferedBytes,
                reconnectMs,
                lingerUs);
        return shipper;
    }

    /**
     * The first seq a writer starting now uses: the wall clock in milliseconds, shifted left by 20 bits. A writer
     * that restarts (a new process, or the backup becoming primary) remembers nothing of its predecessor, yet its
     * seqs must be above every seq already in the log, since the logger drops records at or below its lastSeq.
     * Starting from the clock does that as long as a writer ships fewer than 2^20 records per millisecond of its
     * life and the clocks of successive writers do not step back; it fits a long until the year 2248.
     */
    public static long firstSeq() {
        return System.currentTimeMillis() << SEQ_SHIFT;
    }

    /** The next seq for a record, strictly increasing from {@link #firstSeq()} at start; thread-safe. */
    public long nextSeq() {
        return seqs.getAndIncrement();
    }

    /**
     * Queues a record for the logger; never blocks. Records must be shipped in seq order: take the seq and ship
     * under one lock when several threads ship.
     *
     * @return false when the record was refused and counted as dropped (the log will have a gap): the buffer of
     *     unacknowledged records would exceed maxBufferedBytes, the seq is not above the last one shipped, or the
     *     shipper is closed.
     */
    public boolean ship(final ShippedRecord record) {
        Checks.notNull("record", record);
        lock.lock();
        try {
            final boolean queued = enqueue(record, System.nanoTime());
            changed.signalAll();
            return queued;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues records in their order as {@link #ship(ShippedRecord)} would, under one lock and with one wake-up of the
     * sender: a writer that produces several records per turn (the relay's duty cycle) pays for the hand-over once.
     *
     * @return how many were queued; the others were refused and counted as dropped, for the same reasons.
     */
    public int shipAll(final List<? extends ShippedRecord> records) {
        Checks.notNull("records", records);
        if (records.isEmpty()) {
            return 0;
        }
        int queued = 0;
        lock.lock();
        try {
            final long nowNs = System.nanoTime();
            for (final ShippedRecord record : records) {
                queued += enqueue(Checks.notNull("record", record), nowNs) ? 1 : 0;
            }
            changed.signalAll();
            return queued;
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by lock: encodes and queues one record, or refuses and counts it. */
    private boolean enqueue(final ShippedRecord record, final long nowNs) {
        if (closed || record.seq() <= shippedSeq) {
            return drop(
                    record,
                    closed ? "shipper is closed" : "out of order, shippedSeq=" + shippedSeq + ": ship in seq order");
        }
        final int length = codec.encode(record);
        if (bufferedBytes + length > maxBufferedBytes) {
            return drop(
                    record,
                    "buffer full, bufferedBytes=" + bufferedBytes + " + length=" + length + " > maxBufferedBytes="
                            + maxBufferedBytes);
        }
        if (unacked.isEmpty() && unsent.isEmpty()) {
            oldestPendingNanoTime = nowNs;
        }
        unsent.addLast(new Pending(record.seq(), Arrays.copyOf(codec.buffer(), length), nowNs));
        bufferedBytes += length;
        shipped++;
        shippedSeq = record.seq();
        return true;
    }

    /** The highest seq the logger acknowledged, 0 before any. */
    public long ackedSeq() {
        return ackedSeq;
    }

    /** The highest seq queued by {@link #ship(ShippedRecord)}, 0 before any. */
    public long shippedSeq() {
        return shippedSeq;
    }

    /**
     * How long ago the oldest record the logger has not acked was shipped, in nanoseconds; 0 when every record is
     * acked. Cheap (no lock), for callers that ask often: the read log's lag bound asks it for every app write.
     */
    public long oldestPendingAgeNanos(final long nowNs) {
        final long oldest = oldestPendingNanoTime;
        return oldest == 0 ? 0 : Math.max(0, nowNs - oldest);
    }

    /** Guarded by lock: after records left the queues. */
    private void refreshOldestPending() {
        final Pending first = !unacked.isEmpty() ? unacked.peekFirst() : unsent.peekFirst();
        oldestPendingNanoTime = first == null ? 0 : first.shippedNanoTime();
    }

    /** Whether the logger is connected now; cheap (no lock), for callers that ask often. */
    public boolean isConnected() {
        return connected;
    }

    /** A consistent snapshot of the counters; safe from any thread. */
    public ShipperStats stats() {
        lock.lock();
        try {
            return new ShipperStats(
                    connected,
                    shipped,
                    acked,
                    dropped,
                    bufferedBytes,
                    unacked.size() + unsent.size(),
                    ackedSeq,
                    lastAckNanoTime,
                    lastError,
                    writes.get());
        } finally {
            lock.unlock();
        }
    }

    /** Stops shipping within about a second and closes the connection; unacknowledged records are dropped. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        final Socket current = socket;
        if (current != null) {
            closeQuietly(current);
        }
        join(sender);
        LOG.info("shipper {}: closed, {}", nodeId, stats());
    }

    private boolean drop(final ShippedRecord record, final String why) {
        dropped++;
        lastError = "dropped seq=" + record.seq() + ": " + why;
        return false;
    }

    private void run() {
        while (!closed) {
            final Connection connection = new Connection(new Socket());
            socket = connection.socket;
            Thread ackReader = null;
            try {
                final Link link = connect(connection.socket);
                ackReader = startAckReader(connection, link.in());
                sendUntilLost(connection, link.out(), link.logLastSeq());
            } catch (final IOException | UnderstudyException ex) {
                connection.lose(ex);
            } finally {
                connected = false;
                if (ackReader != null) {
                    join(ackReader); // lets it read the ERROR the logger may have sent before closing
                }
                closeQuietly(connection.socket);
            }
            if (!closed) {
                onLost(connection.failure);
                awaitReconnect();
            }
        }
    }

    /** Connects, proves the key, reads WELCOME; returns the input to read ACKs from and the output to ship on. */
    private Link connect(final Socket s) throws IOException {
        s.connect(logger, CONNECT_TIMEOUT_MS);
        s.setTcpNoDelay(true);
        final LogHandshake.Session session = LogHandshake.client(
                s,
                auth,
                LogProtocol.ROLE_WRITER,
                nodeIdBytes,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WELCOME_TIMEOUT_MS));
        final FrameInput in = new FrameInput(
                s, session.inbound(), LogProtocol.MAX_FRAME_LENGTH, LogServerLimits.DEFAULT_FRAME_TIMEOUT_MS);
        in.idleTimeoutMs(WELCOME_TIMEOUT_MS);
        final int kind = in.read();
        if (kind == LogProtocol.ERROR) {
            throw new UnderstudyException("logger " + logger + " sent ERROR: " + in.bodyText(0));
        }
        if (kind != LogProtocol.WELCOME) {
            throw new UnderstudyException(
                    "expected WELCOME from logger " + logger + ", got " + LogProtocol.kindName(kind));
        }
        final long logLastSeq = in.bodyLong(kind, Long.BYTES, 0);
        onWelcome(logLastSeq);
        in.idleTimeoutMs(0);
        return new Link(
                in,
                new FrameOutput(s.getOutputStream(), session.outbound(), FrameOutput.DEFAULT_BUFFER_BYTES),
                logLastSeq);
    }

    /** Queues every unacknowledged record for resending, less those the logger says it holds already. */
    private void onWelcome(final long logLastSeq) {
        int alreadyLogged = 0;
        lock.lock();
        try {
            while (!unacked.isEmpty()) {
                unsent.addFirst(unacked.removeLast());
            }
            long highest = 0;
            while (!unsent.isEmpty() && unsent.peekFirst().seq() <= logLastSeq) {
                final Pending pending = unsent.removeFirst();
                bufferedBytes -= pending.bytes().length;
                acked++;
                highest = pending.seq();
                alreadyLogged++;
            }
            ackedSeq = Math.max(ackedSeq, highest);
            refreshOldestPending();
            connected = true;
            LOG.info(
                    "shipper {}: connected to {}, logger lastSeq={}, alreadyLogged={}, toSend={}",
                    nodeId,
                    logger,
                    logLastSeq,
                    alreadyLogged,
                    unsent.size());
        } finally {
            lock.unlock();
        }
        if (alreadyLogged > 0) {
            callOnAck();
        }
    }

    /** Ships until the connection is lost: a GAP before a seq that does not follow the last, a KEEPALIVE when idle. */
    private void sendUntilLost(final Connection connection, final FrameOutput out, final long logLastSeq)
            throws IOException {
        final List<Pending> batch = new ArrayList<>();
        long lastSentSeq = logLastSeq;
        while (true) {
            batch.clear();
            if (!takeUnsent(connection, batch)) {
                return;
            }
            if (lingerNs > 0 && !batch.isEmpty() && batch.size() < MAX_BATCH_RECORDS) {
                // Parked, not waiting on the condition: the writer's hand-overs meanwhile wake no one.
                LockSupport.parkNanos(lingerNs);
                if (!takeMore(connection, batch)) {
                    return;
                }
            }
            if (batch.isEmpty()) {
                out.keepalive();
            }
            for (final Pending pending : batch) {
                if (pending.seq() != lastSentSeq + 1) {
                    out.gap(pending.seq());
                }
                out.record(pending.bytes(), pending.bytes().length);
                lastSentSeq = pending.seq();
            }
            out.flush();
            if (!batch.isEmpty()) {
                writes.incrementAndGet();
            }
        }
    }

    /**
     * Waits up to the keepalive interval for records to send and moves them to unacked; false when closed or the
     * connection is lost, true with an empty batch when it is time for a KEEPALIVE.
     */
    private boolean takeUnsent(final Connection connection, final List<Pending> batch) {
        lock.lock();
        try {
            long remainingNs = TimeUnit.MILLISECONDS.toNanos(LogProtocol.KEEPALIVE_INTERVAL_MS);
            while (unsent.isEmpty() && !closed && !connection.isLost() && remainingNs > 0) {
                remainingNs = changed.awaitNanos(remainingNs);
            }
            if (closed || connection.isLost()) {
                return false;
            }
            moveUnsent(batch);
            return true;
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Adds what is unsent to the batch, without waiting; false when closed or the connection is lost. */
    private boolean takeMore(final Connection connection, final List<Pending> batch) {
        lock.lock();
        try {
            if (closed || connection.isLost()) {
                return false;
            }
            moveUnsent(batch);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by lock: moves unsent records to unacked and the batch, up to a batch's most. */
    private void moveUnsent(final List<Pending> batch) {
        while (!unsent.isEmpty() && batch.size() < MAX_BATCH_RECORDS) {
            final Pending pending = unsent.removeFirst();
            unacked.addLast(pending);
            batch.add(pending);
        }
    }

    private Thread startAckReader(final Connection connection, final FrameInput in) {
        final Thread thread = new Thread(() -> readAcks(connection, in), "ship-acks-" + nodeId);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void readAcks(final Connection connection, final FrameInput in) {
        try {
            while (true) {
                final int kind = in.read();
                if (kind == LogProtocol.ACK) {
                    onAcked(in.bodyLong(kind, 2 * Long.BYTES, 0));
                } else if (kind == LogProtocol.ERROR) {
                    throw new UnderstudyException("logger " + logger + " sent ERROR: " + in.bodyText(0));
                } else {
                    throw new UnderstudyException(
                            "expected ACK or ERROR from logger " + logger + ", got " + LogProtocol.kindName(kind));
                }
            }
        } catch (final IOException | UnderstudyException ex) {
            connection.lose(ex);
            closeQuietly(connection.socket); // unblocks the sender if it is stuck in a write
        }
    }

    private void onAcked(final long seq) {
        lock.lock();
        try {
            while (!unacked.isEmpty() && unacked.peekFirst().seq() <= seq) {
                bufferedBytes -= unacked.removeFirst().bytes().length;
                acked++;
            }
            ackedSeq = Math.max(ackedSeq, seq);
            lastAckNanoTime = System.nanoTime();
            refreshOldestPending();
        } finally {
            lock.unlock();
        }
        callOnAck();
    }

    private void callOnAck() {
        try {
            onAck.run();
        } catch (final RuntimeException ex) {
            LOG.warn("shipper {}: onAck failed", nodeId, ex);
        }
    }

    private void onLost(final Exception cause) {
        final String message = cause == null
                ? "connection to logger " + logger + " closed"
                : cause instanceof UnderstudyException
                        ? cause.getMessage()
                        : "connection to logger " + logger + " failed: " + cause;
        lastError = message;
        if (!message.equals(lastLoggedError)) {
            lastLoggedError = message;
            LOG.warn("shipper {}: {}; reconnecting every {} ms", nodeId, message, reconnectMs);
        } else {
            LOG.debug("shipper {}: {} (again)", nodeId, message);
        }
    }

    private void awaitReconnect() {
        lock.lock();
        try {
            long remainingNs = TimeUnit.MILLISECONDS.toNanos(reconnectMs);
            while (!closed && remainingNs > 0) {
                remainingNs = changed.awaitNanos(remainingNs);
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(final Socket s) {
        try {
            s.close();
        } catch (final IOException ex) {
            LOG.debug("closing {} failed: {}", s, ex.toString());
        }
    }

    private void join(final Thread thread) {
        try {
            thread.join(CLOSE_JOIN_MS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("shipper {}: thread {} still running {} ms after close", nodeId, thread.getName(), CLOSE_JOIN_MS);
        }
    }
}
