package io.understudy.logger;

import java.io.EOFException;
import java.io.IOException;
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
 * sends to an {@link EventLog} exactly once, by seq, and streams the log to {@link LogTail}s. One daemon thread
 * per connection on blocking sockets; appends from all connections serialize on one lock. The server does not
 * own the log: close the server first, then the log.
 *
 * <p>Dedup: a record whose seq is at or below lastSeq is already in the log and is dropped (counted, still
 * acknowledged). lastSeq survives restarts: it is the seq of the last {@link ShippedRecord} in the log, found by
 * reading the log backwards from its end. Because every writer starts its seqs at {@link LogShipper#firstSeq()},
 * a newer writer's records are above an older writer's, and an older writer still talking after a newer one
 * started has its records dropped.
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

    private static final Logger LOG = LoggerFactory.getLogger(LogServer.class);

    private final String nodeId;
    private final EventLog log;
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

    private LogServer(final String nodeId, final EventLog log, final ServerSocket serverSocket) {
        this.nodeId = nodeId;
        this.log = log;
        this.serverSocket = serverSocket;
        this.address = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        this.lastSeq = log.lastShippedSeq();
        this.lastIndex = log.lastIndex();
        this.acceptor = new Thread(this::acceptLoop, "logserver-" + nodeId + "-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Listens on {@code bind} (port 0 picks a free port, see {@link #address()}) and serves until closed.
     *
     * @throws IOException         naming the address when it cannot be bound.
     * @throws UnderstudyException when the arguments are bad or the log cannot be read.
     */
    public static LogServer start(final String nodeId, final InetSocketAddress bind, final EventLog log)
        throws IOException {
        LogProtocol.nodeIdBytes(nodeId);
        Checks.notNull("bind", bind);
        Checks.notNull("log", log);
        final ServerSocket serverSocket = new ServerSocket();
        final LogServer server;
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(bind);
            server = new LogServer(nodeId, log, serverSocket);
        } catch (final IOException ex) {
            serverSocket.close();
            throw new IOException("logger " + nodeId + " cannot listen on " + bind + ": " + ex.getMessage(), ex);
        } catch (final RuntimeException ex) {
            serverSocket.close();
            throw ex;
        }
        server.acceptor.start();
        LOG.info("logger {}: listening on {}, log={}, lastSeq={}, lastIndex={}", nodeId, server.address,
            log.directory(), server.lastSeq, LogRecordCodec.indexName(server.lastIndex));
        return server;
    }

    /** The address the server listens on, with the real port when it was started on port 0. */
    public InetSocketAddress address() {
        return address;
    }

    /** A snapshot of the counters; safe from any thread. */
    public LogServerStats stats() {
        return new LogServerStats(appended.get(), duplicatesDropped.get(), rejected.get(), writersConnected.get(),
            tailsConnected.get(), lastSeq, lastIndex, lastError);
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
        socket.setTcpNoDelay(true);
        sockets.add(socket);
        if (closed) {
            closeQuietly(socket);
            return;
        }
        final Thread thread = new Thread(() -> serve(socket),
            "logserver-" + nodeId + "-connection-" + connections.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void serve(final Socket socket) {
        final String peer = String.valueOf(socket.getRemoteSocketAddress());
        FrameOutput out = null;
        try {
            final FrameInput in = new FrameInput(socket.getInputStream());
            out = new FrameOutput(socket.getOutputStream());
            final int role = readHello(in);
            final String peerNodeId = in.bodyText(1);
            if (role == LogProtocol.ROLE_WRITER) {
                serveWriter(peerNodeId + "@" + peer, in, out);
            } else {
                serveTail(peerNodeId + "@" + peer, socket, in, out);
            }
        } catch (final LogFailure ex) {
            sendError(socket, out, ex.getMessage());
        } catch (final UnderstudyException ex) {
            rejected.incrementAndGet();
            lastError = "rejected " + peer + ": " + ex.getMessage();
            LOG.warn("logger {}: rejected {}: {}", nodeId, peer, ex.getMessage());
            sendError(socket, out, ex.getMessage());
        } catch (final EOFException ex) {
            LOG.debug("logger {}: {} closed the connection", nodeId, peer);
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

    /** Reads the HELLO every connection starts with; returns the role, the node id follows it in the body. */
    private static int readHello(final FrameInput in) throws IOException {
        final int kind = in.read();
        if (kind != LogProtocol.HELLO) {
            throw new UnderstudyException("expected HELLO as the first frame, got " + LogProtocol.kindName(kind));
        }
        final int nodeIdLength = in.bodyLength() - 1;
        if (nodeIdLength < 1 || nodeIdLength > LogProtocol.MAX_NODE_ID_BYTES) {
            throw new UnderstudyException("HELLO nodeId length=" + nodeIdLength + ", expected 1.."
                + LogProtocol.MAX_NODE_ID_BYTES);
        }
        final int role = in.array()[in.bodyOffset()] & 0xFF;
        if (role != LogProtocol.ROLE_WRITER && role != LogProtocol.ROLE_TAIL) {
            throw new UnderstudyException("HELLO role=" + role + ", expected 1 (writer) or 2 (tail)");
        }
        return role;
    }

    private void serveWriter(final String writer, final FrameInput in, final FrameOutput out) throws IOException {
        writersConnected.incrementAndGet();
        try {
            final long welcomeSeq = lastSeq;
            LOG.info("logger {}: writer {} connected, lastSeq={}", nodeId, writer, welcomeSeq);
            out.welcome(welcomeSeq);
            out.flush();
            final LogRecordCodec codec = new LogRecordCodec();
            while (!closed) {
                long ackSeq = 0;
                long ackIndex = -1;
                int count = 0;
                do {
                    final ShippedRecord record = readRecord(in, codec);
                    final long index = appendOnce(record);
                    ackSeq = Math.max(ackSeq, record.seq());
                    ackIndex = index >= 0 ? index : ackIndex;
                    count++;
                } while (count < MAX_BATCH_RECORDS && !closed && in.hasMore());
                out.ack(ackSeq, ackIndex >= 0 ? ackIndex : lastIndex);
                out.flush();
            }
        } finally {
            writersConnected.decrementAndGet();
            LOG.info("logger {}: writer {} disconnected", nodeId, writer);
        }
    }

    private static ShippedRecord readRecord(final FrameInput in, final LogRecordCodec codec) throws IOException {
        final int kind = in.read();
        if (kind != LogProtocol.RECORD) {
            throw new UnderstudyException("expected RECORD from a writer, got " + LogProtocol.kindName(kind));
        }
        final byte[] bytes = Arrays.copyOfRange(in.array(), in.bodyOffset(), in.bodyOffset() + in.bodyLength());
        final LogRecord record = codec.decode(LogRecordCodec.ON_THE_WIRE, bytes, bytes.length);
        if (!(record instanceof ShippedRecord shipped)) {
            throw new UnderstudyException("RECORD holds a " + record.getClass().getSimpleName()
                + ", expected a ShippedRecord (PrimaryOpened, PrimaryRead, PrimaryWrite, PrimaryEnded)");
        }
        return shipped;
    }

    /** Appends a record unless its seq is already in the log; returns its index, or -1 when dropped. */
    private long appendOnce(final ShippedRecord record) {
        synchronized (appendLock) {
            if (record.seq() <= lastSeq) {
                duplicatesDropped.incrementAndGet();
                return -1;
            }
            final long index;
            try {
                index = log.append(record);
            } catch (final UnderstudyException ex) {
                throw onLogFailed("append of seq=" + record.seq() + " failed: " + ex.getMessage(), ex);
            }
            lastSeq = record.seq();
            lastIndex = index;
            appended.incrementAndGet();
            return index;
        }
    }

    private void serveTail(final String tail, final Socket socket, final FrameInput in, final FrameOutput out)
        throws IOException {
        tailsConnected.incrementAndGet();
        try {
            final int kind = in.read();
            if (kind != LogProtocol.TAIL) {
                throw new UnderstudyException("expected TAIL after a tail's HELLO, got " + LogProtocol.kindName(kind));
            }
            final long fromIndex = in.bodyLong(kind, Long.BYTES, 0);
            if (fromIndex < -1) {
                throw new UnderstudyException("TAIL fromIndex=" + fromIndex + ", expected -1 (start) or an index");
            }
            LOG.info("logger {}: tail {} connected, fromIndex={}", nodeId, tail, LogRecordCodec.indexName(fromIndex));
            try (EventLogReader reader = (EventLogReader) (fromIndex < 0 ? log.reader() : log.reader(fromIndex))) {
                streamTo(reader, socket, in, out);
            }
        } finally {
            tailsConnected.decrementAndGet();
            LOG.info("logger {}: tail {} disconnected", nodeId, tail);
        }
    }

    /** Sends every record from the reader on, then waits for appends, until the tail closes or the server does. */
    private void streamTo(final EventLogReader reader, final Socket socket, final FrameInput in,
        final FrameOutput out) throws IOException {
        long nextProbeNs = System.nanoTime() + TAIL_PROBE_INTERVAL_NS;
        while (!closed) {
            final long seenAppends = log.appendCount();
            int sent = 0;
            while (sent < MAX_BATCH_RECORDS && pollForTail(reader)) {
                out.entry(reader.lastReadIndex(), reader.lastBytes(), reader.lastLength());
                sent++;
            }
            if (sent > 0) {
                out.flush();
                continue;
            }
            if (System.nanoTime() - nextProbeNs >= 0) {
                probeClosed(socket, in);
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

    private boolean pollForTail(final EventLogReader reader) {
        try {
            return reader.poll().isPresent();
        } catch (final UnderstudyException ex) {
            throw onLogFailed("tail read failed: " + ex.getMessage(), ex);
        }
    }

    /** A tail sends nothing after TAIL: EOF means it closed (EOFException), anything else is a protocol error. */
    private static void probeClosed(final Socket socket, final FrameInput in) throws IOException {
        socket.setSoTimeout(1);
        try {
            final int kind = in.read();
            throw new UnderstudyException("unexpected " + LogProtocol.kindName(kind) + " from a tail after TAIL");
        } catch (final SocketTimeoutException stillThere) {
            // Nothing to read: the tail is still connected.
        } finally {
            socket.setSoTimeout(0);
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
            for (int read = 0; read >= 0 && drained < MAX_DRAIN_BYTES; read = socket.getInputStream().read(discard)) {
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
