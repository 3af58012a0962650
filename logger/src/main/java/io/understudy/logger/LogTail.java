package io.understudy.logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a {@link LogServer}'s log from an index on (protocol in {@link LogProtocol}), handing every record to a
 * {@link Sink} in log order on its own daemon thread. After a lost connection it reconnects every
 * {@code reconnectMs} and resumes just after the last record delivered, so no record is delivered twice or
 * skipped. Every connection proves the {@link LogAuth} key and has the logger prove it ({@link LogHandshake});
 * an entry whose MAC does not verify ends the connection.
 */
public final class LogTail implements AutoCloseable {
    static final int CONNECT_TIMEOUT_MS = 2_000;
    static final int HANDSHAKE_TIMEOUT_MS = 5_000;
    static final long CLOSE_JOIN_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(LogTail.class);

    private final String nodeId;
    private final byte[] nodeIdBytes;
    private final InetSocketAddress logger;
    private final LogAuth auth;
    private final long fromIndex;
    private final boolean primaryOnly;
    private final Sink sink;
    private final long reconnectMs;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final LogRecordCodec codec = new LogRecordCodec();
    private volatile boolean connected;
    private volatile long received;
    private volatile long lastIndex = -1;
    private volatile String lastError;
    private volatile Socket socket;
    private String lastLoggedError;

    /** Receives the tailed records. */
    public interface Sink {
        /** One record and its index, in log order, on the tail's thread; should not block for long. */
        void onRecord(long index, LogRecord record);
    }

    private LogTail(
            final String nodeId,
            final InetSocketAddress logger,
            final LogAuth auth,
            final long fromIndex,
            final boolean primaryOnly,
            final Sink sink,
            final long reconnectMs) {
        this.primaryOnly = primaryOnly;
        this.nodeId = nodeId;
        this.nodeIdBytes = LogProtocol.nodeIdBytes(nodeId);
        this.logger = Checks.notNull("logger", logger);
        this.auth = Checks.notNull("auth", auth);
        this.fromIndex = Checks.inRange("fromIndex", fromIndex, -1, Long.MAX_VALUE);
        this.sink = Checks.notNull("sink", sink);
        this.reconnectMs = Checks.inRange("reconnectMs", reconnectMs, 1, TimeUnit.HOURS.toMillis(1));
        this.thread = new Thread(this::run, "tail-" + nodeId);
        thread.setDaemon(true);
    }

    /**
     * Starts following the log at {@code fromIndex} (-1: from its first record). Never fails for an unreachable
     * logger: it keeps trying every {@code reconnectMs}.
     *
     * @param auth the read-log key to prove to the logger (and to have it prove), or {@link LogAuth#INSECURE}.
     * @throws UnderstudyException when an argument is out of range.
     */
    public static LogTail start(
            final String nodeId,
            final InetSocketAddress logger,
            final LogAuth auth,
            final long fromIndex,
            final Sink sink,
            final long reconnectMs) {
        return start(nodeId, logger, auth, fromIndex, false, sink, reconnectMs);
    }

    /**
     * The same, receiving only the primary's shipped records when {@code primaryOnly} (what a backup's read-log feed
     * uses): what the logger's host appends itself (its tap's events) stays on the logger. Indexes still rise, with
     * gaps where those records are.
     */
    public static LogTail start(
            final String nodeId,
            final InetSocketAddress logger,
            final LogAuth auth,
            final long fromIndex,
            final boolean primaryOnly,
            final Sink sink,
            final long reconnectMs) {
        final LogTail tail = new LogTail(nodeId, logger, auth, fromIndex, primaryOnly, sink, reconnectMs);
        tail.thread.start();
        LOG.info(
                "tail {}: following {} from index {}{}, auth={}",
                nodeId,
                logger,
                LogRecordCodec.indexName(fromIndex),
                primaryOnly ? ", the primary's records only" : "",
                auth);
        return tail;
    }

    /** A snapshot of the counters; safe from any thread. */
    public TailStats stats() {
        return new TailStats(connected, received, lastIndex, lastError);
    }

    /** Stops within about a second; the sink is not called after this returns. */
    @Override
    public void close() {
        if (closing.getCount() == 0) {
            return;
        }
        closing.countDown();
        final Socket current = socket;
        if (current != null) {
            closeQuietly(current);
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(CLOSE_JOIN_MS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("tail {}: closed, {}", nodeId, stats());
    }

    private boolean isClosed() {
        return closing.getCount() == 0;
    }

    private void run() {
        while (!isClosed()) {
            final Socket s = new Socket();
            socket = s;
            try {
                follow(s);
            } catch (final IOException | UnderstudyException ex) {
                if (!isClosed()) {
                    onLost(ex);
                }
            } finally {
                connected = false;
                closeQuietly(s);
            }
            try {
                closing.await(reconnectMs, TimeUnit.MILLISECONDS);
            } catch (final InterruptedException ex) {
                return;
            }
        }
    }

    private void follow(final Socket s) throws IOException {
        s.connect(logger, CONNECT_TIMEOUT_MS);
        s.setTcpNoDelay(true);
        final long from = lastIndex >= 0 ? lastIndex + 1 : fromIndex;
        final LogHandshake.Session session = LogHandshake.client(
                s,
                auth,
                LogProtocol.ROLE_TAIL,
                nodeIdBytes,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_TIMEOUT_MS));
        final FrameOutput out = new FrameOutput(s.getOutputStream(), session.outbound(), 256);
        out.tail(from, primaryOnly ? LogProtocol.TAIL_PRIMARY_ONLY : 0);
        out.flush();
        connected = true;
        LOG.info("tail {}: connected to {}, from index {}", nodeId, logger, LogRecordCodec.indexName(from));
        final FrameInput in = new FrameInput(
                s, session.inbound(), LogProtocol.MAX_FRAME_LENGTH, LogServerLimits.DEFAULT_FRAME_TIMEOUT_MS);
        while (!isClosed()) {
            final int kind = in.read();
            if (kind == LogProtocol.ENTRY) {
                onEntry(in);
            } else if (kind == LogProtocol.ERROR) {
                throw new UnderstudyException("logger " + logger + " sent ERROR: " + in.bodyText(0));
            } else {
                throw new UnderstudyException(
                        "expected ENTRY or ERROR from logger " + logger + ", got " + LogProtocol.kindName(kind));
            }
        }
    }

    private void onEntry(final FrameInput in) {
        if (in.bodyLength() < Long.BYTES) {
            throw new UnderstudyException("ENTRY body length=" + in.bodyLength() + ", expected>=" + Long.BYTES);
        }
        final long index = in.body().getLong(in.bodyOffset());
        if (index <= lastIndex) {
            throw new UnderstudyException("ENTRY index=" + LogRecordCodec.indexName(index) + " is not after lastIndex="
                    + LogRecordCodec.indexName(lastIndex));
        }
        final int start = in.bodyOffset() + Long.BYTES;
        final byte[] bytes = Arrays.copyOfRange(in.array(), start, in.bodyOffset() + in.bodyLength());
        final LogRecord record = codec.decode(index, bytes, bytes.length);
        if (isClosed()) {
            return;
        }
        try {
            sink.onRecord(index, record);
        } catch (final RuntimeException ex) {
            lastError = "sink failed at index " + LogRecordCodec.indexName(index) + ": " + ex;
            LOG.warn(
                    "tail {}: sink failed at index {}; going on with the next record",
                    nodeId,
                    LogRecordCodec.indexName(index),
                    ex);
        }
        lastIndex = index;
        received++;
    }

    private void onLost(final Exception cause) {
        final String message = cause instanceof UnderstudyException
                ? cause.getMessage()
                : "connection to logger " + logger + " failed: " + cause;
        lastError = message;
        if (!message.equals(lastLoggedError)) {
            lastLoggedError = message;
            LOG.warn("tail {}: {}; reconnecting every {} ms", nodeId, message, reconnectMs);
        } else {
            LOG.debug("tail {}: {} (again)", nodeId, message);
        }
    }

    private static void closeQuietly(final Socket s) {
        try {
            s.close();
        } catch (final IOException ex) {
            LOG.debug("closing {} failed: {}", s, ex.toString());
        }
    }
}
