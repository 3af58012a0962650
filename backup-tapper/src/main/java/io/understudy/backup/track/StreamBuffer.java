package io.understudy.backup.track;

import java.util.Arrays;

/**
 * The retained bytes of one stream: contiguous bytes from {@link #startOffset()} up to the stream's next offset,
 * kept until whoever still needs them (the peer's ack, the replica) releases them. Bounded by a per-stream cap and a
 * budget shared by every stream; when either is hit the buffer stops retaining and says so.
 */
public final class StreamBuffer {
    private final MemoryBudget budget;
    private final int capBytes;
    private byte[] bytes = new byte[0];
    private int head;
    private int size;
    private long startOffset;
    private boolean overflowed;

    public StreamBuffer(final MemoryBudget budget, final int capBytes) {
        this.budget = budget;
        this.capBytes = capBytes;
    }

    /** Stream offset of the first retained byte. */
    public long startOffset() {
        return startOffset;
    }

    public int size() {
        return size;
    }

    /** True once a cap was hit: bytes from then on are not retained, so this stream cannot be replayed. */
    public boolean hasOverflowed() {
        return overflowed;
    }

    /**
     * Appends bytes that continue the stream at {@code startOffset() + size()}.
     *
     * @return false when a cap stopped retention (now or before).
     */
    public boolean append(final byte[] source, final int offset, final int length) {
        if (overflowed) {
            return false;
        }
        if (size + length > capBytes || !budget.tryReserve(length)) {
            overflowed = true;
            clear();
            return false;
        }
        ensureCapacity(size + length);
        System.arraycopy(source, offset, bytes, head + size, length);
        size += length;
        return true;
    }

    /** Drops retained bytes before {@code offset}. */
    public void releaseUpTo(final long offset) {
        final long drop = Math.min(offset - startOffset, size);
        if (drop <= 0) {
            if (overflowed && offset > startOffset) {
                startOffset = offset;
            }
            return;
        }
        head += (int) drop;
        size -= (int) drop;
        startOffset += drop;
        budget.release(drop);
        if (size == 0) {
            head = 0;
        }
    }

    /** Copies retained bytes from stream offset {@code from} (inclusive) to {@code to} (exclusive). */
    public byte[] copy(final long from, final long to) {
        if (from < startOffset || to > startOffset + size || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") outside retained [" + startOffset
                    + ", " + (startOffset + size) + ")");
        }
        final int at = head + (int) (from - startOffset);
        return Arrays.copyOfRange(bytes, at, at + (int) (to - from));
    }

    /** Makes an empty buffer start at stream offset {@code offset} (a stream taken up mid-way with known offsets). */
    public void startAt(final long offset) {
        if (size != 0) {
            throw new IllegalStateException("startAt on a buffer that holds " + size + " bytes");
        }
        startOffset = offset;
    }

    /** Releases everything, for a connection that is gone. */
    public void clear() {
        budget.release(size);
        startOffset += size;
        head = 0;
        size = 0;
        bytes = new byte[0];
    }

    private void ensureCapacity(final int needed) {
        if (head + needed <= bytes.length) {
            return;
        }
        if (needed <= bytes.length && head > 0) {
            System.arraycopy(bytes, head, bytes, 0, size);
            head = 0;
            return;
        }
        final byte[] grown = new byte[Math.max(needed, Math.min(capBytes, Math.max(4096, bytes.length * 2)))];
        System.arraycopy(bytes, head, grown, 0, size);
        bytes = grown;
        head = 0;
    }
}
