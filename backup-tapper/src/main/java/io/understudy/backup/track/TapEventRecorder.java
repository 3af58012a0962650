package io.understudy.backup.track;

import io.understudy.logger.CloseReason;
import io.understudy.logger.ConnectionClosed;
import io.understudy.logger.ConnectionOpened;
import io.understudy.logger.Direction;
import io.understudy.logger.EventLog;
import io.understudy.logger.LogRecord;
import io.understudy.logger.StreamAcked;
import io.understudy.logger.StreamBytes;
import io.understudy.logger.StreamData;
import io.understudy.logger.UnderstudyException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends what the tap learns to the event log, so that takeover and tests can replay every connection: opened
 * (with the handshake's options), each stream's bytes as they become contiguous, acks, close.
 *
 * <p>The capture thread only queues the records; a writer thread of the recorder's own appends them. A Chronicle
 * append (shared with the logger's appends of the primary's read log, under the log's lock) took 39 % of a loaded
 * capture thread's samples at 2,000 connections (JFR), and a capture thread that falls behind the wire holds up the
 * takeover decision. When the queue is full ({@link #QUEUE_CAPACITY} records: the log far slower than the tap), a
 * record is dropped; a dropped record and a failed append are counted as failures and reported, never thrown into
 * the capture loop.
 */
public final class TapEventRecorder implements TapListener, AutoCloseable {
    /** Records queued for the writer at most. */
    public static final int QUEUE_CAPACITY = 1 << 16;
    /** Stream bytes queued for the writer at most (a bulk transfer's full frames would fill the heap first). */
    public static final long QUEUE_CAPACITY_BYTES = 16L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(TapEventRecorder.class);
    /** The most records the writer appends in one turn before it looks at its state again. */
    private static final int RECORDS_PER_TURN = 1024;

    private final String nodeId;
    private final EventLog log;
    private final ArrayBlockingQueue<LogRecord> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AgentRunner writer;
    private volatile long appended;
    private volatile long failures;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();

    /** Starts the writer thread ({@code recorder-NODE}); {@link #close()} appends what is queued and stops it. */
    public TapEventRecorder(final String nodeId, final EventLog log) {
        this.nodeId = nodeId;
        this.log = log;
        // Idle: backs off to 5 ms parks, so that an idle tap costs the host no more than a few hundred wake-ups a
        // second; the event log is a record of what happened, not on the takeover's path.
        this.writer = new AgentRunner(
                new BackoffIdleStrategy(10, 10, 50_000, 5_000_000),
                error -> LOG.error("[{}] event log writer failed", nodeId, error),
                null,
                new Writer());
        AgentRunner.startOnThread(writer, runnable -> {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The writer's duty cycle: appends what is queued, in order. */
    private final class Writer implements Agent {
        @Override
        public int doWork() {
            return drain(RECORDS_PER_TURN);
        }

        @Override
        public String roleName() {
            return "recorder-" + nodeId;
        }
    }

    private int drain(final int most) {
        int work = 0;
        LogRecord record;
        while (work < most && (record = queue.poll()) != null) {
            work++;
            queuedBytes.addAndGet(-sizeOf(record));
            write(record);
        }
        return work;
    }

    @Override
    public void onOpened(final TrackedConnection connection, final long nowNs) {
        final StreamDirection client = connection.client;
        final StreamDirection server = connection.server;
        final boolean scaling = connection.windowScalingNegotiated();
        append(new ConnectionOpened(
                connection.id,
                nowNs,
                connection.key.clientAddress(),
                connection.key.clientPort(),
                connection.key.serverAddress(),
                connection.key.serverPort(),
                connection.handshakeSeen(),
                client.synSeen ? Integer.toUnsignedLong(client.isn) : -1,
                server.synSeen ? Integer.toUnsignedLong(server.isn) : -1,
                client.synSeen ? client.mss : -1,
                scaling ? client.windowScale : -1,
                scaling ? server.windowScale : -1,
                connection.sackPermitted(),
                connection.timestampsNegotiated()));
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
        final byte[] copy = new byte[length];
        System.arraycopy(bytes, offset, copy, 0, length);
        append(new StreamData(connection.id, nowNs, direction(fromClient), streamOffset, copy));
    }

    @Override
    public void onAcked(
            final TrackedConnection connection,
            final boolean clientStream,
            final long ackedOffset,
            final int rawAck,
            final long window,
            final long nowNs) {
        append(new StreamAcked(
                connection.id, nowNs, direction(clientStream), ackedOffset, Integer.toUnsignedLong(rawAck), window));
    }

    @Override
    public void onClosed(final TrackedConnection connection, final long nowNs) {
        append(new ConnectionClosed(
                connection.id,
                nowNs,
                switch (connection.state) {
                    case RESET -> CloseReason.RESET;
                    case REPLACED -> CloseReason.EVICTED;
                    default -> CloseReason.FIN_BOTH;
                },
                connection.state == ConnectionState.REPLACED ? "a new connection took its 4-tuple" : ""));
    }

    public long appended() {
        return appended;
    }

    /** Failed appends and records dropped because the queue was full. */
    public long failures() {
        return failures + dropped.get();
    }

    /** Stops the writer once it has appended everything queued before this call. */
    @Override
    public void close() {
        writer.close();
        drain(Integer.MAX_VALUE); // what came after the writer's last turn; the capture has stopped by now
    }

    private static Direction direction(final boolean fromClient) {
        return fromClient ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
    }

    /** Queues a record for the writer; never blocks. A full queue drops it (counted, logged now and then). */
    public void append(final LogRecord record) {
        final int size = sizeOf(record);
        if (queuedBytes.get() + size > QUEUE_CAPACITY_BYTES) {
            drop();
            return;
        }
        queuedBytes.addAndGet(size);
        if (!queue.offer(record)) {
            queuedBytes.addAndGet(-size);
            drop();
        }
    }

    /** What a queued record holds on the heap besides its fixed fields: its stream bytes. */
    private static int sizeOf(final LogRecord record) {
        return record instanceof StreamBytes.Carrier carrier ? carrier.length() : 0;
    }

    private void drop() {
        final long count = dropped.incrementAndGet();
        if (Long.bitCount(count) == 1) {
            LOG.warn(
                    "[{}] event log writer behind ({} records, {} stream bytes queued): dropped {} tap event(s) so "
                            + "far; the log misses them (the tap itself, and protection, are not affected)",
                    nodeId,
                    queue.size(),
                    queuedBytes.get(),
                    count);
        }
    }

    /** On the writer's thread (or the closing one, once the writer has stopped). */
    private void write(final LogRecord record) {
        try {
            log.append(record);
            appended++;
        } catch (final UnderstudyException ex) {
            if (failures++ % 10_000 == 0) {
                LOG.error("[{}] event log append failed ({} failures so far): {}", nodeId, failures, ex.getMessage());
            }
        }
    }
}
