package io.understudy.backup;

/**
 * Bytes of stream data the tap may retain across all connections. Single-threaded: owned by the capture agent.
 */
final class MemoryBudget {
    private final long capBytes;
    private long usedBytes;
    private long refusals;

    MemoryBudget(final long capBytes) {
        this.capBytes = capBytes;
    }

    boolean tryReserve(final long bytes) {
        if (usedBytes + bytes > capBytes) {
            refusals++;
            return false;
        }
        usedBytes += bytes;
        return true;
    }

    void release(final long bytes) {
        usedBytes -= bytes;
    }

    long usedBytes() {
        return usedBytes;
    }

    long capBytes() {
        return capBytes;
    }

    /** Times a reservation was refused because the global cap was reached. */
    long refusals() {
        return refusals;
    }
}
