package io.understudy.backup.track;

/**
 * Bytes of stream data the tap may retain across all connections. Single-threaded: owned by the capture agent.
 */
public final class MemoryBudget {
    private final long capBytes;
    private long usedBytes;
    private long refusals;

    public MemoryBudget(final long capBytes) {
        this.capBytes = capBytes;
    }

    public boolean tryReserve(final long bytes) {
        if (usedBytes + bytes > capBytes) {
            refusals++;
            return false;
        }
        usedBytes += bytes;
        return true;
    }

    public void release(final long bytes) {
        usedBytes -= bytes;
    }

    public long usedBytes() {
        return usedBytes;
    }

    public long capBytes() {
        return capBytes;
    }

    /** Times a reservation was refused because the global cap was reached. */
    public long refusals() {
        return refusals;
    }
}
