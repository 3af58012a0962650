package io.understudy.backup.track;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the primary's read log says about one of its connections: the client bytes the primary read (and handed its
 * app), by offset, as far as they are still needed, and how the connection ended. Lives on the capture thread.
 */
public final class LoggedConnection {
    public final long primaryId;
    public final ConnectionKey key;
    /** Logged reads not released yet: client stream offset to bytes. */
    private final TreeMap<Long, byte[]> reads = new TreeMap<>();

    private long retainedBytes;
    /**
     * The log's reads are contiguous from where the log starts (client offset 0, or where a connection the primary
     * adopted at a takeover started on it) up to here.
     */
    public long contiguousEnd;
    /** Why the log cannot be trusted for this connection (a read is missing), null while it can. */
    public String gap;
    /** The primary closed or reset the connection. */
    public boolean ended;
    /** The tap's view of the same connection, once matched by 4-tuple. */
    public TrackedConnection tap;

    /** The primary's record of the open, with the options its kernel negotiated. */
    public final io.understudy.logger.PrimaryOpened opened;

    public LoggedConnection(
            final long primaryId, final ConnectionKey key, final io.understudy.logger.PrimaryOpened opened) {
        this.primaryId = primaryId;
        this.key = key;
        this.opened = opened;
        this.contiguousEnd = opened.clientStartOffset();
    }

    public void onRead(final long offset, final byte[] bytes) {
        if (offset > contiguousEnd && gap == null) {
            gap = "the read log misses client bytes " + contiguousEnd + ".." + offset
                    + " (the primary dropped records while its logger was away)";
        }
        if (bytes.length == 0 || offset + bytes.length <= contiguousEnd && gap == null) {
            return;
        }
        reads.put(offset, bytes);
        retainedBytes += bytes.length;
        if (gap == null) {
            contiguousEnd = offset + bytes.length;
        }
    }

    public long retainedBytes() {
        return retainedBytes;
    }

    /** The logged read holding client offset {@code offset}, as {offset, bytes}; null when none is retained. */
    public Map.Entry<Long, byte[]> readAt(final long offset) {
        final Map.Entry<Long, byte[]> floor = reads.floorEntry(offset);
        return floor != null && floor.getKey() + floor.getValue().length > offset ? floor : null;
    }

    /** Where the logged read that holds {@code offset} ends: the primary's read boundary; -1 when not logged. */
    public long boundaryAfter(final long offset) {
        final Map.Entry<Long, byte[]> read = readAt(offset);
        return read == null ? -1 : read.getKey() + read.getValue().length;
    }

    /** Client bytes [from, to) from the log, or null when the log does not hold all of them. */
    public byte[] bytes(final long from, final long to) {
        final byte[] out = new byte[(int) (to - from)];
        long at = from;
        while (at < to) {
            final Map.Entry<Long, byte[]> read = readAt(at);
            if (read == null) {
                return null;
            }
            final int skip = (int) (at - read.getKey());
            final int take = (int) Math.min(read.getValue().length - skip, to - at);
            System.arraycopy(read.getValue(), skip, out, (int) (at - from), take);
            at += take;
        }
        return out;
    }

    /** Forgets the reads that end at or before {@code offset}. */
    public void releaseUpTo(final long offset) {
        while (!reads.isEmpty()) {
            final Map.Entry<Long, byte[]> first = reads.firstEntry();
            if (first.getKey() + first.getValue().length > offset) {
                return;
            }
            reads.pollFirstEntry();
            retainedBytes -= first.getValue().length;
        }
    }

    public void clear() {
        reads.clear();
        retainedBytes = 0;
    }
}
