package io.understudy.logger;

import java.util.Optional;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.io.ClosedIllegalStateException;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A Chronicle tailer that decodes each document into a {@link LogRecord}. A corrupt document is consumed by the
 * poll that reports it, so the next poll goes on with the record after it.
 */
final class EventLogReader implements EventLog.Reader {
    /** No record read yet. */
    static final long NONE = -1;

    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final LogRecordCodec codec = new LogRecordCodec();
    private byte[] buffer = new byte[256];
    private long lastReadIndex = NONE;
    private int lastLength;
    private long lastConnectionId;

    /** A reader from the first retained record. */
    EventLogReader(final SingleChronicleQueue queue) {
        this.queue = queue;
        this.tailer = queue.createTailer();
        tailer.singleThreadedCheckReset(); // owned by the first thread that polls, not by the one that built it
    }

    /** A reader whose first record is the first with an index at or after {@code fromIndex}. */
    EventLogReader(final SingleChronicleQueue queue, final long fromIndex) {
        this.queue = queue;
        this.tailer = queue.createTailer();
        try {
            position(fromIndex);
        } catch (final RuntimeException ex) {
            tailer.close();
            throw ex;
        }
        tailer.singleThreadedCheckReset();
    }

    /** A reader that goes from the last record towards the first. */
    static EventLogReader backwardFromEnd(final SingleChronicleQueue queue) {
        final EventLogReader reader = new EventLogReader(queue);
        reader.tailer.direction(TailerDirection.BACKWARD).toEnd();
        return reader;
    }

    @Override
    public Optional<LogRecord> poll() {
        try (DocumentContext context = tailer.readingDocument()) {
            if (!context.isPresent()) {
                return Optional.empty();
            }
            lastReadIndex = context.index();
            lastLength = copy(context.wire().bytes());
            return Optional.of(codec.decode(lastReadIndex, buffer, lastLength));
        } catch (final UnderstudyException ex) {
            throw ex;
        } catch (final RuntimeException ex) {
            throw readFailed(ex);
        }
    }

    /**
     * Reads and checks the next record without building it: for scans that keep few records.
     *
     * @return false at the end of the log.
     */
    boolean pollChecked() {
        return pollChecked(false);
    }

    /**
     * Reads and checks the next {@link ShippedRecord}, skipping the others by their type byte alone, neither copied
     * nor checked: the backup's primary-only tail, which never sends them.
     *
     * @return false at the end of the log.
     */
    boolean pollShipped() {
        return pollChecked(true);
    }

    private boolean pollChecked(final boolean shippedOnly) {
        while (true) {
            try (DocumentContext context = tailer.readingDocument()) {
                if (!context.isPresent()) {
                    return false;
                }
                final Bytes<?> bytes = context.wire().bytes();
                if (shippedOnly
                        && bytes.readRemaining() > 0
                        && !LogRecordCodec.isShippedType(bytes.peekUnsignedByte())) {
                    continue;
                }
                lastReadIndex = context.index();
                lastLength = copy(bytes);
                lastConnectionId = codec.checkedConnectionId(lastReadIndex, buffer, lastLength);
                return true;
            } catch (final UnderstudyException ex) {
                throw ex;
            } catch (final RuntimeException ex) {
                throw readFailed(ex);
            }
        }
    }

    /** The connection of the record {@link #pollChecked()} last read. */
    long lastConnectionId() {
        return lastConnectionId;
    }

    /** The seq of the record {@link #pollChecked()} last read when it is a {@link ShippedRecord}, else 0. */
    long lastShippedSeq() {
        return LogRecordCodec.shippedSeq(buffer, lastLength);
    }

    /** The document last read, as the codec wrote it: valid until the next poll; callers must not change it. */
    byte[] lastBytes() {
        return buffer;
    }

    /** The length of the document last read. */
    int lastLength() {
        return lastLength;
    }

    /** Builds the record {@link #pollChecked()} last read. */
    LogRecord decodeLast() {
        return codec.decode(lastReadIndex, buffer, lastLength);
    }

    @Override
    public long lastReadIndex() {
        return lastReadIndex;
    }

    @Override
    public void close() {
        tailer.close();
    }

    /** Copies the document into the buffer; a length too large to be a record is left for the codec to refuse. */
    private int copy(final Bytes<?> bytes) {
        final long remaining = bytes.readRemaining();
        if (remaining > LogRecordCodec.MAX_LENGTH) {
            return (int) Math.min(remaining, Integer.MAX_VALUE);
        }
        final int length = (int) remaining;
        if (buffer.length < length) {
            buffer = new byte[Math.max(length, buffer.length * 2)];
        }
        bytes.read(buffer, 0, length);
        return length;
    }

    private void position(final long fromIndex) {
        final long firstIndex = queue.firstIndex();
        final long lastIndex = queue.lastIndex();
        if (lastIndex < 0 && fromIndex != 0) {
            throw new UnderstudyException(
                    "fromIndex=" + LogRecordCodec.indexName(fromIndex) + " is not in the event log: it is empty");
        }
        if (lastIndex < 0) {
            tailer.toStart();
        } else if (fromIndex > lastIndex + 1) {
            throw new UnderstudyException("fromIndex=" + LogRecordCodec.indexName(fromIndex)
                    + " is beyond the end of the event log, lastIndex=" + LogRecordCodec.indexName(lastIndex));
        } else if (fromIndex == lastIndex + 1) {
            tailer.toEnd();
        } else if (fromIndex < firstIndex) {
            throw new UnderstudyException("fromIndex=" + LogRecordCodec.indexName(fromIndex)
                    + " has expired, firstIndex=" + LogRecordCodec.indexName(firstIndex));
        } else if (!tailer.moveToIndex(fromIndex)) {
            moveToNextCycleAfter(fromIndex);
        }
    }

    /** fromIndex lies past the last record of its cycle: the next record is the first of a later cycle. */
    private void moveToNextCycleAfter(final long fromIndex) {
        final int cycle = queue.rollCycle().toCycle(fromIndex);
        // Chronicle lists cycles only between two cycles whose files exist: the first and last do.
        final Long nextCycle =
                queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle()).higher((long) cycle);
        if (nextCycle == null || !tailer.moveToIndex(queue.rollCycle().toIndex(nextCycle.intValue(), 0))) {
            tailer.toEnd();
        }
    }

    private UnderstudyException readFailed(final RuntimeException ex) {
        if (ex instanceof ClosedIllegalStateException) {
            return new UnderstudyException("event log reader on " + queue.file() + " is closed", ex);
        }
        return new UnderstudyException(
                "event log " + queue.file() + " read failed, lastReadIndex=" + LogRecordCodec.indexName(lastReadIndex)
                        + ": " + ex,
                ex);
    }
}
