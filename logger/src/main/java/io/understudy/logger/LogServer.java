package io.understudy.logger;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logger's TCP front (protocol in {@link LogProtocol}): appends the records the primary's {@link LogShipper}
 * sends to an {@link EventLog} exactly once, by seq, and streams the log to {@link LogTail}s. Every connection first
 * proves the {@link LogAuth} key in a fixed-size handshake ({@link LogHandshake}); nothing else is read or allocated
 * before. One daemon thread per connection on blocking sockets, at most {@link LogServerLimits#maxConnections()},
 * each read under a timeout; appends serialize on one lock. The server does not own the log: close the server
 * first, then the log.
 *
 * <p>One writer at a time: an authenticated writer arriving while another is connected is refused with an ERROR
 * (both sides log it). The connected writer keeps its place as long as it is heard (it sends KEEPALIVE when idle);
 * one silent for {@link LogServerLimits#writerSilenceMs()} (a dead primary's half-open connection) is closed, and
 * the next writer (the primary reconnecting, or the new primary) takes the place.
 *
 * <p>Seqs: a record whose seq is at or below lastSeq is already in the log and is dropped (counted, still
 * acknowledged), so resends after a reconnect are harmless. A new seq must be lastSeq + 1, or the nextSeq a GAP just
 * announced (a new writer starts at {@link LogShipper#firstSeq()}, a shipper skips the seqs it dropped); a GAP may
 * not reach beyond the logger's clock plus {@link LogServerLimits#maxSeqAheadMs()}. A jump gets an ERROR, is not
 * appended and not acknowledged. lastSeq survives restarts: it is the seq of the last {@link ShippedRecord} in the
 * log, found by reading the log backwards from its end.
 */
public final class LogServer implements AutoCloseable {
    /** The most records appended before one ACK, so a writer that never pauses still hears back. */
    static final int MAX_BATCH_RECORDS = 1024;
    /** How long an idle tail waits for an append before polling the log again (other processes do not signal). */
    static final long TAIL_WAIT_MS = 1;
    /** How often an idle tail checks whether its client went away. */
    static final long TAIL_PROBE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long a connection closing after an ERROR reads what its peer still sends. */
    static final int ERROR_LINGER_MS = 200;
    /** The most bytes read and dropped after an ERROR before closing anyway. */
    static final long MAX_DRAIN_BYTES = 4L << 20;
    /** How long close() waits for each connection thread. */
    static final long CLOSE_JOIN_MS = 1_000;

    private static final int DRAIN_CHECKS = 3;
    private static final long DRAIN_POLL_MS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(LogServer.class);

    private final String nodeId;
    private final EventLog log;
    private final LogAuth auth;
    private final LogServerLimits limits;
    private final ServerSocket serverSocket;
    private final InetSocketAddress address;
    private final Thread acceptor;
    private final Object appendLock = new Object();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong duplicatesDropped = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicInteger writersConnected = new AtomicInteger();
    private final AtomicInteger tailsConnected = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong authFailures = new AtomicLong();
    private final AtomicLong writersRefused = new AtomicLong();
    private final AtomicLong seqJumpsRefused = new AtomicLong();
    private final AtomicLong connectionsRefused = new AtomicLong();
    // Guarded by appendLock: the one writer allowed to append, or null.
    private Writer writer;
    private volatile long lastSeq;
    private volatile long lastIndex;
    private volatile String lastError;
    private String lastWarnedLogFailure;
    private volatile boolean closed;

    /** The log, not the peer, failed: the peer gets the message, the server keeps it as lastError. */
    private static final class LogFailure extends UnderstudyException {
        private static final long serialVersionUID = 1L;

        LogFailure(final String message) {
            super(message);
        }
    }

    /** The writer holding the place, and what its connection announced. */
    private static final class Writer {
        private final String name;
        private final Socket socket;
        private long gapSeq;
        /** Its thread is about to wait for a frame with nothing read and unhandled: all it sent so far is appended. */
        private volatile boolean waiting;

        Writer(final String name, final Socket socket) {
            this.name = name;
            this.socket = socket;
        }

        /** Its connection's input, once the writer is served. */
        private volatile FrameInput input;

        /**
         * Nothing unread: the thread waits for a frame, or in the middle of one (a writer that died mid-frame never
         * sends the rest), and the kernel holds no byte of this connection for it.
         */
        boolean isDrained() {
            final FrameInput in = input;
            if (!waiting && (in == null || !in.isBlocked())) {
                return false;
            }
            try {
                return socket.isClosed() || socket.getInputStream().available() == 0;
            } catch (final IOException ex) {
                return true; // the connection is gone: nothing more will be read from it
            }
        }
    }

    /** One ACK's worth of records read without blocking. */
    private static final class Batch {
        private long ackSeq;
        private long ackIndex = -1;
        private int count;

        void add(final long seq, final long index) {
            ackSeq = Math.max(ackSeq, seq);
            ackIndex = index >= 0 ? index : ackIndex;
            count++;
        }
    }

    private LogServer(
            final String nodeId,
            final EventLog log,
            final LogAuth auth,
            final LogServerLimits limits,
            final ServerSocket serverSocket) {
        this.nodeId = nodeId;
        this.log = log;
        this.auth = auth;
        this.limits = limits;
        this.serverSocket = serverSocket;
        this.address = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        this.lastSeq = log.lastShippedSeq();
        this.lastIndex = log.lastIndex();
        this.acceptor = new Thread(this::acceptLoop, "logserver-" + nodeId + "-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Listens on {@code bind} (port 0 picks a free port, see {@link #address()}) and serves until closed, with the
     * default {@link LogServerLimits}.
     *
     * @param auth the key writers and tails must prove, or {@link LogAuth#INSECURE} (only when the node's config
     *             says insecure).
     * @throws IOException         naming the address when it cannot be bound.
     * @throws UnderstudyException when the arguments are bad or the log cannot be read.
     */
    public static LogServer start(
            final String nodeId, final InetSocketAddress bind, final EventLog log, final LogAuth auth)
            throws IOException {
        return start(nodeId, bind, log, auth, LogServerLimits.defaults());
    }

    static LogServer start(
            final String nodeId,
            final InetSocketAddress bind,
            final EventLog log,
            final LogAuth auth,
            final LogServerLimits limits)
            throws IOException {
        LogProtocol.nodeIdBytes(nodeId);
        Checks.notNull("bind", bind);
        Checks.notNull("log", log);
        Checks.notNull("auth", auth);
        Checks.notNull("limits", limits);
        final ServerSocket serverSocket = new ServerSocket();
        final LogServer server;
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(bind);
            server = new LogServer(nodeId, log, auth, limits, serverSocket);
        } catch (final IOException ex) {
            serverSocket.close();
            throw new IOException("logger " + nodeId + " cannot listen on " + bind + ": " + ex.getMessage(), ex);
        } catch (final RuntimeException ex) {
            serverSocket.close();
            throw ex;
        }
        server.acceptor.start();
        LOG.info(
                "logger {}: listening on {}, log={}, lastSeq={}, lastIndex={}, auth={}, {}",
                nodeId,
                server.address,
                log.directory(),
                server.lastSeq,
                LogRecordCodec.indexName(server.lastIndex),
                auth,
                limits);
        if (!auth.isSecure()) {
            LOG.warn(
                    "logger {}: INSECURE: anyone who reaches {} may write or read the read log",
                    nodeId,
                    server.address);
        }
        return server;
    }

    /** The address the server listens on, with the real port when it was started on port 0. */
    public InetSocketAddress address() {
        return address;
    }

    /** A snapshot of the counters; safe from any thread. */
    public LogServerStats stats() {
        return new LogServerStats(
                appended.get(),
                duplicatesDropped.get(),
                rejected.get(),
                writersConnected.get(),
                tailsConnected.get(),
                lastSeq,
                lastIndex,
                lastError,
                authFailures.get(),
                writersRefused.get(),
                seqJumpsRefused.get(),
                connectionsRefused.get(),
                sockets.size());
    }

    /**
     * Waits up to {@code timeoutMs} until everything the writer sent that reached this host is in the log: its thread
     * waits for the next frame and the kernel holds no unread byte of its connection. A backup about to take over
     * calls this once the primary is gone: a logger that fell behind (a busy host) still holds the primary's last
     * reads in its socket, acked to the primary's kernel long ago. True when drained (or no writer is connected).
     */
    public boolean awaitWriterDrained(final long timeoutMs) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        // The writer's flag trails the kernel's copy into its buffer by a few instructions: drained is believed only
        // when it held, with nothing appended meanwhile, over DRAIN_CHECKS polls DRAIN_POLL_MS apart.
        int steady = 0;
        long appendedBefore = -1;
        while (true) {
            final Writer current;
            synchronized (appendLock) {
                current = writer;
            }
            if (current == null) {
                return true;
            }
            final long appendedNow = appended.get();
            steady = current.isDrained() && appendedNow == appendedBefore ? steady + 1 : 0;
            appendedBefore = appendedNow;
            if (steady >= DRAIN_CHECKS) {
                return true;
            }
            if (System.nanoTime() - deadlineNs >= 0) {
                return false;
            }
            Thread.sleep(DRAIN_POLL_MS);
        }
    }

    /** Stops accepting, closes every connection and waits for their threads; the log stays open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            serverSocket.close();
        } catch (final IOException ex) {
            LOG.warn("logger {}: closing the listening socket {} failed", nodeId, address, ex);
        }
        sockets.forEach(LogServer::closeQuietly);
        join(acceptor);
        threads.forEach(LogServer::join);
        LOG.info("logger {}: closed, {}", nodeId, stats());
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                onAccepted(serverSocket.accept());
            } catch (final IOException ex) {
                if (!closed) {
                    LOG.warn("logger {}: accept on {} failed", nodeId, address, ex);
                    pause();
                }
            }
        }
    }

    private void onAccepted(final Socket socket) throws IOException {
        if (sockets.size() >= limits.maxConnections()) {
            final long refused = connectionsRefused.incrementAndGet();
            if (Long.bitCount(refused) == 1) { // 1, 2, 4, ...: a flood does not flood the log
                LOG.warn(
                        "logger {}: refused {}: maxConnections={} open (refused so far: {})",
                        nodeId,
                        socket.getRemoteSocketAddress(),
                        limits.maxConnections(),
                        refused);
            }
            closeQuietly(socket);
            return;
        }
        socket.setTcpNoDelay(true);
        sockets.add(socket);
        if (closed) {
            closeQuietly(socket);
            return;
        }
        final Thread thread =
                new Thread(() -> serve(socket), "logserver-" + nodeId + "-connection-" + connections.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void serve(final Socket socket) {
        final String peer = String.valueOf(socket.getRemoteSocketAddress());
        FrameOutput out = null;
        try {
            final LogHandshake.Session session = LogHandshake.server(
                    socket, auth, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.handshakeTimeoutMs()));
            out = new FrameOutput(socket.getOutputStream(), session.outbound(), FrameOutput.DEFAULT_BUFFER_BYTES);
            final String who = session.peerNodeId() + "@" + peer;
            if (session.role() == LogProtocol.ROLE_WRITER) {
                serveWriter(
                        who,
                        socket,
                        new FrameInput(
                                socket, session.inbound(), LogProtocol.MAX_FRAME_LENGTH, limits.frameTimeoutMs()),
                        out);
            } else {
                serveTail(
                        who,
                        new FrameInput(
                                socket, session.inbound(), LogProtocol.MAX_TAIL_FRAME_LENGTH, limits.frameTimeoutMs()),
                        out);
            }
        } catch (final LogFailure ex) {
            sendError(socket, out, ex.getMessage());
        } catch (final UnderstudyException ex) {
            onRejected(socket, out, peer, ex);
        } catch (final EOFException ex) {
            LOG.debug("logger {}: {} closed the connection: {}", nodeId, peer, ex.getMessage());
        } catch (final IOException ex) {
            if (!closed) {
                LOG.info("logger {}: connection from {} lost: {}", nodeId, peer, ex.toString());
            }
        } finally {
            closeQuietly(socket);
            sockets.remove(socket);
            threads.remove(Thread.currentThread());
        }
    }

    private void onRejected(
            final Socket socket, final FrameOutput out, final String peer, final UnderstudyException ex) {
        rejected.incrementAndGet();
        if (ex instanceof LogHandshake.AuthFailure) {
            authFailures.incrementAndGet();
        }
        lastError = "rejected " + peer + ": " + ex.getMessage();
        LOG.warn("logger {}: rejected {}: {}", nodeId, peer, ex.getMessage());
        // Before the handshake completed there is no session: the ERROR goes without a MAC, from a small buffer.
        sendError(
                socket,
                out != null ? out : new FrameOutput(outputOf(socket), FrameMac.NONE, LogProtocol.MAX_ERROR_BYTES + 64),
                ex.getMessage());
    }

    private static OutputStream outputOf(final Socket socket) {
        try {
            return socket.getOutputStream();
        } catch (final IOException ex) {
            return OutputStream.nullOutputStream();
        }
    }

    private void serveWriter(final String name, final Socket socket, final FrameInput in, final FrameOutput out)
            throws IOException {
        final Writer self = claimWriter(name, socket);
        self.input = in;
        writersConnected.incrementAndGet();
        try {
            final long welcomeSeq = lastSeq;
            LOG.info("logger {}: writer {} connected, lastSeq={}", nodeId, name, welcomeSeq);
            out.welcome(welcomeSeq);
            out.flush();
            in.idleTimeoutMs((int) limits.writerSilenceMs());
            final LogRecordCodec codec = new LogRecordCodec();
            Batch batch = new Batch();
            while (!closed) {
                final int kind;
                self.waiting = !in.hasMore();
                try {
                    kind = in.read();
                } catch (final SocketTimeoutException silent) {
                    LOG.warn(
                            "logger {}: writer {} silent for writerSilenceMs={}: closing it, its place is free",
                            nodeId,
                            name,
                            limits.writerSilenceMs());
                    return;
                }
                self.waiting = false;
                onWriterFrame(self, kind, in, codec, batch);
                if (batch.count >= MAX_BATCH_RECORDS || batch.count > 0 && !in.hasMore()) {
                    out.ack(batch.ackSeq, batch.ackIndex >= 0 ? batch.ackIndex : lastIndex);
                    out.flush();
                    batch = new Batch();
                }
            }
        } finally {
            releaseWriter(self);
            writersConnected.decrementAndGet();
            LOG.info("logger {}: writer {} disconnected", nodeId, name);
        }
    }

    /** Takes the one writer's place, or refuses: another writer is connected (and heard lately). */
    private Writer claimWriter(final String name, final Socket socket) {
        synchronized (appendLock) {
            if (writer != null) {
                writersRefused.incrementAndGet();
                throw new UnderstudyException("writer " + name + " refused: writer " + writer.name
                        + " is connected to logger " + nodeId + " (one writer at a time; a writer silent for "
                        + limits.writerSilenceMs() + " ms loses its place)");
            }
            writer = new Writer(name, socket);
            return writer;
        }
    }

    private void releaseWriter(final Writer self) {
        synchronized (appendLock) {
            if (writer == self) {
                writer = null;
            }
        }
    }

    private void onWriterFrame(
            final Writer self, final int kind, final FrameInput in, final LogRecordCodec codec, final Batch batch) {
        if (kind == LogProtocol.RECORD) {
            final ShippedRecord record = readRecord(in, codec);
            batch.add(record.seq(), appendOnce(self, record));
        } else if (kind == LogProtocol.GAP) {
            onGap(self, in.bodyLong(kind, Long.BYTES, 0));
        } else if (kind == LogProtocol.KEEPALIVE) {
            in.checkBodyLength(kind, 0);
        } else {
            throw new UnderstudyException(
                    "expected RECORD, GAP or KEEPALIVE from a writer, got " + LogProtocol.kindName(kind));
        }
    }

    private static ShippedRecord readRecord(final FrameInput in, final LogRecordCodec codec) {
        final byte[] bytes = Arrays.copyOfRange(in.array(), in.bodyOffset(), in.bodyOffset() + in.bodyLength());
        final LogRecord record = codec.decode(LogRecordCodec.ON_THE_WIRE, bytes, bytes.length);
        if (!(record instanceof ShippedRecord shipped)) {
            throw new UnderstudyException("RECORD holds a " + record.getClass().getSimpleName()
                    + ", expected a ShippedRecord (PrimaryOpened, PrimaryRead, PrimaryWrite, PrimaryEnded)");
        }
        return shipped;
    }

    /** The writer announces its next seq: above lastSeq + 1 it skips seqs, but never beyond the clock's reach. */
    private void onGap(final Writer self, final long nextSeq) {
        synchronized (appendLock) {
            final long maxSeq = (System.currentTimeMillis() + limits.maxSeqAheadMs()) << LogShipper.SEQ_SHIFT;
            if (nextSeq > maxSeq || nextSeq < 0) {
                seqJumpsRefused.incrementAndGet();
                throw new UnderstudyException("GAP nextSeq=" + nextSeq + ", expected " + (lastSeq + 1) + ".." + maxSeq
                        + " (the logger's clock + maxSeqAheadMs=" + limits.maxSeqAheadMs() + ")");
            }
            self.gapSeq = nextSeq > lastSeq + 1 ? nextSeq : 0;
            if (self.gapSeq > 0) {
                LOG.info(
                        "logger {}: writer {} skips seqs {}..{} (never shipped)",
                        nodeId,
                        self.name,
                        lastSeq + 1,
                        nextSeq - 1);
            }
        }
    }

    /** Appends a record unless its seq is already in the log; returns its index, or -1 when dropped. */
    private long appendOnce(final Writer self, final ShippedRecord record) {
        synchronized (appendLock) {
            if (writer != self) {
                throw new UnderstudyException("writer " + self.name + " no longer holds the writer's place");
            }
            if (record.seq() <= lastSeq) {
                duplicatesDropped.incrementAndGet();
                return -1;
            }
            final long expected = self.gapSeq > 0 ? self.gapSeq : lastSeq + 1;
            if (record.seq() != expected) {
                seqJumpsRefused.incrementAndGet();
                throw new UnderstudyException("seq jump: seq=" + record.seq() + ", expected=" + expected + " (lastSeq="
                        + lastSeq + "); a writer announces skipped seqs with GAP");
            }
            final long index;
            try {
                index = log.append(record);
            } catch (final UnderstudyException ex) {
                throw onLogFailed("append of seq=" + record.seq() + " failed: " + ex.getMessage(), ex);
            }
            lastSeq = record.seq();
            lastIndex = index;
            self.gapSeq = 0;
            appended.incrementAndGet();
            return index;
        }
    }

    private void serveTail(final String tail, final FrameInput in, final FrameOutput out) throws IOException {
        tailsConnected.incrementAndGet();
        try {
            in.idleTimeoutMs((int) limits.handshakeTimeoutMs());
            final int kind;
            try {
                kind = in.read();
            } catch (final SocketTimeoutException ex) {
                throw new UnderstudyException("no TAIL within " + limits.handshakeTimeoutMs() + " ms of the handshake");
            }
            if (kind != LogProtocol.TAIL) {
                throw new UnderstudyException("expected TAIL after a tail's HELLO, got " + LogProtocol.kindName(kind));
            }
            if (in.bodyLength() != Long.BYTES && in.bodyLength() != Long.BYTES + 1) {
                throw new UnderstudyException(LogProtocol.kindName(kind) + " body length=" + in.bodyLength()
                        + ", expected=" + Long.BYTES + " or " + (Long.BYTES + 1));
            }
            final long fromIndex = in.body().getLong(in.bodyOffset());
            final int flags = in.bodyLength() > Long.BYTES ? in.array()[in.bodyOffset() + Long.BYTES] & 0xFF : 0;
            if ((flags & ~LogProtocol.TAIL_PRIMARY_ONLY) != 0) {
                throw new UnderstudyException(LogProtocol.kindName(kind) + " flags=0x" + Integer.toHexString(flags)
                        + ", expected 0 or 0x" + Integer.toHexString(LogProtocol.TAIL_PRIMARY_ONLY));
            }
            final boolean primaryOnly = (flags & LogProtocol.TAIL_PRIMARY_ONLY) != 0;
            if (fromIndex < -1) {
                throw new UnderstudyException("TAIL fromIndex=" + fromIndex + ", expected -1 (start) or an index");
            }
            LOG.info(
                    "logger {}: tail {} connected, fromIndex={}{}",
                    nodeId,
                    tail,
                    LogRecordCodec.indexName(fromIndex),
                    primaryOnly ? ", the primary's records only" : "");
            try (EventLogReader reader = (EventLogReader) (fromIndex < 0 ? log.reader() : log.reader(fromIndex))) {
                streamTo(reader, primaryOnly, in, out);
            }
        } finally {
            tailsConnected.decrementAndGet();
            LOG.info("logger {}: tail {} disconnected", nodeId, tail);
        }
    }

    /** Sends every record from the reader on, then waits for appends, until the tail closes or the server does. */
    private void streamTo(
            final EventLogReader reader, final boolean primaryOnly, final FrameInput in, final FrameOutput out)
            throws IOException {
        long nextProbeNs = System.nanoTime() + TAIL_PROBE_INTERVAL_NS;
        while (!closed) {
            final long seenAppends = log.appendCount();
            int sent = 0;
            while (sent < MAX_BATCH_RECORDS && pollForTail(reader, primaryOnly)) {
                out.entry(reader.lastReadIndex(), reader.lastBytes(), reader.lastLength());
                sent++;
            }
            if (sent > 0) {
                out.flush();
                continue;
            }
            if (System.nanoTime() - nextProbeNs >= 0) {
                probeClosed(in);
                nextProbeNs = System.nanoTime() + TAIL_PROBE_INTERVAL_NS;
            }
            try {
                log.awaitAppend(seenAppends, TAIL_WAIT_MS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Reads the next record to send: any (decoded, so a corrupt one is refused here), or with {@code primaryOnly} the
     * next shipped one (checked without being built; the others are skipped by their type byte, not copied).
     */
    private boolean pollForTail(final EventLogReader reader, final boolean primaryOnly) {
        try {
            if (!primaryOnly) {
                return reader.poll().isPresent();
            }
            return reader.pollShipped();
        } catch (final UnderstudyException ex) {
            throw onLogFailed("tail read failed: " + ex.getMessage(), ex);
        }
    }

    /** A tail sends nothing after TAIL: EOF means it closed (EOFException), anything else is a protocol error. */
    private static void probeClosed(final FrameInput in) throws IOException {
        in.idleTimeoutMs(1);
        try {
            final int kind = in.read();
            throw new UnderstudyException("unexpected " + LogProtocol.kindName(kind) + " from a tail after TAIL");
        } catch (final SocketTimeoutException stillThere) {
            // Nothing to read: the tail is still connected.
        }
    }

    private LogFailure onLogFailed(final String message, final UnderstudyException cause) {
        final String full = "logger " + nodeId + ": " + message;
        lastError = full;
        synchronized (this) {
            if (!full.equals(lastWarnedLogFailure)) {
                lastWarnedLogFailure = full;
                LOG.warn("logger {}: {}", nodeId, message, cause);
            } else {
                LOG.debug("logger {}: {} (again)", nodeId, message);
            }
        }
        return new LogFailure(full);
    }

    /**
     * Sends ERROR and a FIN, then reads what the peer still sends for a moment: closing with unread input would
     * send a reset, which may destroy the ERROR before the peer reads it.
     */
    private void sendError(final Socket socket, final FrameOutput out, final String message) {
        if (out == null) {
            return;
        }
        try {
            out.error(message);
            out.flush();
            socket.shutdownOutput();
            socket.setSoTimeout(ERROR_LINGER_MS);
            final byte[] discard = new byte[8 * 1024];
            long drained = 0;
            for (int read = 0;
                    read >= 0 && drained < MAX_DRAIN_BYTES;
                    read = socket.getInputStream().read(discard)) {
                drained += read;
            }
        } catch (final IOException ex) {
            LOG.debug("logger {}: after ERROR '{}': {}", nodeId, message, ex.toString());
        }
    }

    private static void closeQuietly(final Socket socket) {
        try {
            socket.close();
        } catch (final IOException ex) {
            LOG.debug("closing {} failed: {}", socket, ex.toString());
        }
    }

    private static void join(final Thread thread) {
        try {
            thread.join(CLOSE_JOIN_MS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("thread {} still running {} ms after its logger closed", thread.getName(), CLOSE_JOIN_MS);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
