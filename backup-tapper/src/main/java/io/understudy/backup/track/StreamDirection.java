package io.understudy.backup.track;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the tap knows of one side's byte stream: its initial sequence number and options, how far its bytes are
 * contiguous, the pieces that arrived ahead of a hole, its FIN, and the last ack, window and timestamps it sent.
 * Stream offsets are 64-bit (offset 0 is the first byte after the SYN, or the first byte seen mid-stream); sequence
 * numbers are raw 32-bit and wrap.
 */
public final class StreamDirection {
    /** A piece received ahead of a hole, kept until the hole is filled. */
    private record Piece(long end, byte[] bytes) {}

    private final StreamBuffer buffer;
    private final TreeMap<Long, Piece> ahead = new TreeMap<>();
    private final int maxPiecesAhead;

    public boolean synSeen;
    public int isn;
    public boolean based;
    /** Sequence number of stream offset 0. */
    public int base;

    public long nextOffset;
    public long finOffset = -1;
    public boolean finSeen;
    public boolean ackSent;
    public int lastAck;
    /** Highest offset of this stream the peer acknowledged (bytes before it are confirmed received). */
    public long ackedByPeer;
    /** Highest offset the peer acknowledged, even beyond a hole in what the tap has (then the tap missed bytes). */
    public long ackedRaw;

    public long window;
    public int mss = -1;
    public int windowScale = -1;
    public boolean sackPermitted;
    public boolean timestampsOffered;
    public boolean timestampSeen;
    public int timestampValue;
    public int timestampEcho;
    public long retransmittedSegments;
    public long outOfOrderSegments;

    public StreamDirection(final StreamBuffer buffer, final int maxPiecesAhead) {
        this.buffer = buffer;
        this.maxPiecesAhead = maxPiecesAhead;
    }

    public StreamBuffer buffer() {
        return buffer;
    }

    public void onSyn(final TcpSegment segment) {
        synSeen = true;
        isn = segment.sequence;
        base = isn + 1;
        based = true;
        mss = segment.mss;
        windowScale = segment.windowScale;
        sackPermitted = segment.sackPermitted;
        timestampsOffered = segment.hasTimestamp;
    }

    /**
     * Sets this stream up as a node that served it knew it (a planned handover): its sequence base, options and
     * window, and its bytes from {@code retainedFrom} up to the next offset, all acknowledged by the peer before
     * {@code ackedOffset}; {@code peerAck} is the last ack this side sent for the peer's stream.
     */
    public void seed(
            final int sequenceBase,
            final int segmentSize,
            final int scale,
            final boolean sack,
            final boolean timestamps,
            final long advertisedWindow,
            final long retainedFrom,
            final byte[] retained,
            final long ackedOffset,
            final int peerAck) {
        synSeen = true;
        base = sequenceBase;
        isn = sequenceBase - 1;
        based = true;
        mss = segmentSize;
        windowScale = scale;
        sackPermitted = sack;
        timestampsOffered = timestamps;
        window = advertisedWindow;
        buffer.startAt(retainedFrom);
        buffer.append(retained, 0, retained.length);
        nextOffset = retainedFrom + retained.length;
        ackedByPeer = ackedOffset;
        ackedRaw = ackedOffset;
        ackSent = true;
        lastAck = peerAck;
    }

    /**
     * Takes a sequence number as offset 0, for a stream picked up mid-way: the first segment with payload, FIN or RST
     * from this side, or the first ack number from the other side, whichever comes first.
     */
    public void baseOn(final int sequence) {
        if (!based) {
            base = sequence;
            based = true;
        }
    }

    /** Stream offset of a sequence number, taken as the one nearest to the next expected offset. */
    public long offsetOf(final int sequence) {
        final int expected = base + (int) nextOffset;
        return nextOffset + (sequence - expected);
    }

    /** Raw sequence number just after the last contiguous byte, +1 once an in-order FIN was consumed. */
    public int nextSequence() {
        return base + (int) nextOffset + (isFinished() ? 1 : 0);
    }

    public boolean isFinished() {
        return finSeen && finOffset == nextOffset;
    }

    public boolean hasHoles() {
        return !ahead.isEmpty();
    }

    /** Where the first hole after the contiguous bytes ends: the next piece held ahead, else the peer's raw ack. */
    public long holeEnd() {
        final Long first = ahead.isEmpty() ? null : ahead.firstKey();
        return first != null ? first : Math.max(nextOffset, ackedRaw);
    }

    public int piecesAhead() {
        return ahead.size();
    }

    /**
     * Takes the payload of a segment at stream offset {@code start}.
     *
     * @param sink receives every byte that became contiguous, in order.
     * @return bytes that became contiguous.
     */
    public long onPayload(
            final long start, final byte[] frame, final int offset, final int length, final DataSink sink) {
        final long end = start + length;
        if (end <= nextOffset) {
            retransmittedSegments++;
            return 0;
        }
        if (start > nextOffset) {
            outOfOrderSegments++;
            keepAhead(start, frame, offset, length);
            return 0;
        }
        final int skip = (int) (nextOffset - start);
        final long before = nextOffset;
        deliver(frame, offset + skip, length - skip, sink);
        drainAhead(sink);
        return nextOffset - before;
    }

    public void onFin(final long finAtOffset) {
        if (!finSeen || finAtOffset < finOffset) {
            finSeen = true;
            finOffset = finAtOffset;
        }
    }

    private void deliver(final byte[] frame, final int offset, final int length, final DataSink sink) {
        final long at = nextOffset;
        buffer.append(frame, offset, length);
        nextOffset += length;
        sink.onContiguous(this, at, frame, offset, length);
    }

    private void keepAhead(final long start, final byte[] frame, final int offset, final int length) {
        final Piece existing = ahead.get(start);
        if (existing != null && existing.end >= start + length) {
            return;
        }
        if (ahead.size() >= maxPiecesAhead) {
            return; // the sender retransmits it, or the read log fills the hole
        }
        final byte[] copy = new byte[length];
        System.arraycopy(frame, offset, copy, 0, length);
        ahead.put(start, new Piece(start + length, copy));
    }

    private void drainAhead(final DataSink sink) {
        Map.Entry<Long, Piece> first;
        while ((first = ahead.firstEntry()) != null && first.getKey() <= nextOffset) {
            ahead.pollFirstEntry();
            final Piece piece = first.getValue();
            if (piece.end > nextOffset) {
                final int skip = (int) (nextOffset - first.getKey());
                deliver(piece.bytes, skip, piece.bytes.length - skip, sink);
            }
        }
    }

    /** Receives stream bytes as they become contiguous. */
    public interface DataSink {
        void onContiguous(StreamDirection direction, long streamOffset, byte[] bytes, int offset, int length);
    }
}
