package io.understudy.logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log of connection events every node writes: one Chronicle Queue in its own directory, one
 * {@link LogRecord} per document (layouts in LogRecordCodec), one file per roll cycle, old cycles deleted
 * as configured. Indexes are Chronicle's: they increase along the log, across restarts, with gaps at each roll.
 *
 * <p>Threads: {@link #append(LogRecord)} may be called from several threads, which it serializes (the LogServer's
 * connections and the backup's own recorder share one log); each {@link Reader} belongs to
 * the first thread that polls it; {@link #replay(long)} and {@link #lastIndex()} work from any thread. Close the
 * readers before the log.
 */
public final class EventLog implements AutoCloseable {
    /** Free space is checked again after this many bytes are appended (statfs is a system call). */
    static final int SPACE_CHECK_INTERVAL_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

    private final EventLogConfig config;
    private final SingleChronicleQueue queue;
    private final CycleRetention retention;
    private final LogRecordCodec codec = new LogRecordCodec();
    private ExcerptAppender appender;
    private int lastAppendedCycle;
    private long bytesUntilSpaceCheck;
    private volatile long appendCount;
    /** Notified after every append, so tailing readers wake at once instead of polling. */
    private final Object appendSignal = new Object();

    private UnderstudyException failure;
    private volatile boolean closed;

    /** A non-blocking cursor over the log, for agents: poll until empty, then back off. */
    public interface Reader extends AutoCloseable {
        /**
         * The next record, or empty when the reader has caught up with the log. Never blocks.
         *
         * @throws UnderstudyException naming the index when the next record is corrupt; that record is then
         *                             behind the reader, so the next poll goes on after it.
         */
        Optional<LogRecord> poll();

        /** The index of the last record polled (corrupt ones included), or -1 before the first. */
        long lastReadIndex();

        @Override
        void close();
    }

    private EventLog(final EventLogConfig config, final SingleChronicleQueue queue) {
        this.config = config;
        this.queue = queue;
        this.retention = new CycleRetention(queue, config.directory(), config.retainCycles());
        final long lastIndex = queue.lastIndex();
        this.lastAppendedCycle =
                lastIndex < 0 ? Integer.MIN_VALUE : queue.rollCycle().toCycle(lastIndex);
    }

    /**
     * Opens the log in the config's directory, creating it if missing.
     *
     * @throws UnderstudyException with the path when the directory cannot be used: not a directory, not
     *                             writable, holding something other than an event log, or made with another
     *                             roll cycle.
     */
    public static EventLog open(final EventLogConfig config) {
        Checks.notNull("config", config);
        final Path directory = config.directory();
        EventLogDirectory.prepare(directory);
        final RollCycle rollCycle = RollCycleNames.resolve(config.rollCycle());
        final SingleChronicleQueue queue = build(config, rollCycle);
        try {
            checkSameRollCycle(config, queue, rollCycle);
            final EventLog log = new EventLog(config, queue);
            LOG.info(
                    "event log {}: open, rollCycle={}, retainCycles={}, lastIndex={}",
                    directory,
                    config.rollCycle(),
                    config.retainCycles(),
                    LogRecordCodec.indexName(queue.lastIndex()));
            return log;
        } catch (final RuntimeException ex) {
            queue.close();
            throw ex;
        }
    }

    /**
     * Appends one record; returns its index.
     *
     * @throws UnderstudyException when the log is closed, the disk is below its free-space floor (nothing is
     *                             written), or the write failed (the log then refuses every later append: reopen
     *                             it once the cause is fixed; every index returned before is intact).
     */
    public synchronized long append(final LogRecord record) {
        Checks.notNull("record", record);
        checkAppendable();
        final int length = codec.encode(record);
        checkFreeSpace(length);
        final long index = write(length);
        bytesUntilSpaceCheck -= length;
        appendCount++;
        onAppended(index);
        return index;
    }

    /** How many records this instance has appended since it opened; rises by one per append. */
    long appendCount() {
        return appendCount;
    }

    /**
     * Waits until this instance appends after {@code seenAppendCount} (see {@link #appendCount()}), or for at most
     * {@code timeoutMs}: appends by other processes are not signalled, so tailers wait briefly and poll again.
     */
    void awaitAppend(final long seenAppendCount, final long timeoutMs) throws InterruptedException {
        synchronized (appendSignal) {
            if (appendCount == seenAppendCount) {
                appendSignal.wait(timeoutMs);
            }
        }
    }

    /**
     * The seq of the last {@link ShippedRecord} in the log, or 0 when it holds none. Reads backwards from the end
     * with a BACKWARD tailer, so it costs one record when the primary wrote last; corrupt records met on the way
     * are skipped with a warning (they cannot be trusted to hold a seq).
     */
    long lastShippedSeq() {
        checkOpen();
        try (EventLogReader reader = EventLogReader.backwardFromEnd(queue)) {
            while (true) {
                try {
                    if (!reader.pollChecked()) {
                        return 0;
                    }
                    final long seq = reader.lastShippedSeq();
                    if (seq > 0) {
                        return seq;
                    }
                } catch (final UnderstudyException ex) {
                    LOG.warn(
                            "event log {}: skipping a corrupt record while looking for the last seq: {}",
                            config.directory(),
                            ex.getMessage());
                }
            }
        }
    }

    /** A reader from the first retained record. */
    public Reader reader() {
        checkOpen();
        return new EventLogReader(queue);
    }

    /**
     * A reader whose first record is the first at or after {@code fromIndex}; {@code lastIndex() + 1} reads only
     * what is appended from now on.
     *
     * @throws UnderstudyException when fromIndex has expired (its cycle was deleted) or is beyond the end.
     */
    public Reader reader(final long fromIndex) {
        checkOpen();
        return new EventLogReader(queue, fromIndex);
    }

    /**
     * Every record of one connection, in log order, read from the first retained record to the end.
     *
     * @throws UnderstudyException naming the index of the first corrupt record met: it might have belonged to
     *                             this connection, so a list without it could be silently incomplete.
     */
    public List<LogRecord> replay(final long connectionId) {
        checkOpen();
        final List<LogRecord> records = new ArrayList<>();
        try (EventLogReader reader = new EventLogReader(queue)) {
            while (reader.pollChecked()) {
                if (reader.lastConnectionId() == connectionId) {
                    records.add(reader.decodeLast());
                }
            }
        }
        return records;
    }

    /**
     * The index to tail or read from to get only the records appended after this call: {@code lastIndex() + 1}, or -1
     * (from the first record) while the log is empty.
     */
    public long indexFromNow() {
        final long last = lastIndex();
        return last < 0 ? -1 : last + 1;
    }

    /** The index of the last record appended, by any process, or -1 when the log is empty. */
    public long lastIndex() {
        checkOpen();
        return queue.lastIndex();
    }

    /**
     * Deletes the files of cycles older than the last {@code retainCycles}, as of the config's clock. Appends do
     * this when the log rolls; call it too when appends may stop for longer than a cycle.
     *
     * @return how many files were deleted.
     */
    public int deleteExpiredCycles() {
        checkOpen();
        return retention.deleteExpired();
    }

    /** The directory the log lives in. */
    public Path directory() {
        return config.directory();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (appender != null) {
                appender.close();
            }
        } finally {
            queue.close();
            LOG.info(
                    "event log {}: closed after {} appends, failed={}",
                    config.directory(),
                    appendCount,
                    failure != null);
        }
    }

    private static SingleChronicleQueue build(final EventLogConfig config, final RollCycle rollCycle) {
        try {
            return SingleChronicleQueueBuilder.single(config.directory().toFile())
                    .rollCycle(rollCycle)
                    .timeProvider(config.clock()::millis)
                    .storeFileListener(StoreFileListener.noOp())
                    .build();
        } catch (final RuntimeException ex) {
            throw new UnderstudyException("event log directory=" + config.directory() + " cannot be opened: " + ex, ex);
        }
    }

    private static void checkSameRollCycle(
            final EventLogConfig config, final SingleChronicleQueue queue, final RollCycle rollCycle) {
        final RollCycle existing = queue.rollCycle();
        if (existing.lengthInMillis() != rollCycle.lengthInMillis()
                || !existing.format().equals(rollCycle.format())) {
            throw new UnderstudyException("event log directory=" + config.directory() + " was created with rollCycle="
                    + RollCycleNames.nameOf(existing) + ", config rollCycle=" + config.rollCycle());
        }
    }

    private long write(final int length) {
        try (DocumentContext context = appender().writingDocument()) {
            try {
                context.wire().bytes().write(codec.buffer(), 0, length);
            } catch (final Throwable ex) {
                context.rollbackOnClose();
                throw ex;
            }
        } catch (final InternalError | RuntimeException ex) {
            // InternalError: the JVM's report of a fault on a mapped page, i.e. the disk filled under the mapping.
            failure = new UnderstudyException(
                    "event log directory=" + config.directory() + " append failed, length=" + length
                            + ", usableDiskBytes=" + usableDiskBytes() + ": " + ex,
                    ex);
            LOG.error("event log {}: append failed, refusing further appends", config.directory(), ex);
            throw failure;
        }
        return appender.lastIndexAppended();
    }

    private ExcerptAppender appender() {
        if (appender == null) {
            appender = queue.createAppender();
        }
        appender.singleThreadedCheckReset(); // appends are serialized by this log's lock, from any thread
        return appender;
    }

    private void onAppended(final long index) {
        synchronized (appendSignal) {
            appendSignal.notifyAll();
        }
        final int cycle = queue.rollCycle().toCycle(index);
        if (cycle != lastAppendedCycle) {
            lastAppendedCycle = cycle;
            try {
                retention.deleteExpired();
            } catch (final UnderstudyException ex) {
                // The record is safely written: report the retention failure without failing the append.
                LOG.warn("event log {}: retention failed on roll to cycle {}", config.directory(), cycle, ex);
            }
        }
    }

    private void checkFreeSpace(final int length) {
        if (bytesUntilSpaceCheck > 0) {
            return;
        }
        final long usable = usableDiskBytes();
        if (usable < config.minFreeDiskBytes() + length) {
            throw new UnderstudyException("event log directory=" + config.directory() + " disk full: usableDiskBytes="
                    + usable + ", required=" + (config.minFreeDiskBytes() + length) + " (minFreeDiskBytes="
                    + config.minFreeDiskBytes() + " + length=" + length + ")");
        }
        bytesUntilSpaceCheck = Math.min(SPACE_CHECK_INTERVAL_BYTES, usable - config.minFreeDiskBytes());
    }

    private long usableDiskBytes() {
        return config.directory().toFile().getUsableSpace();
    }

    private void checkAppendable() {
        checkOpen();
        if (failure != null) {
            throw new UnderstudyException(
                    "event log directory=" + config.directory()
                            + " refuses appends after a failed one, reopen it; the failure: " + failure.getMessage(),
                    failure);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new UnderstudyException("event log directory=" + config.directory() + " is closed");
        }
    }
}
