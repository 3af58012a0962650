package io.understudy.primary;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The relay's direct buffers, lent to a connection's direction only while bytes wait in it, as HAProxy allocates
 * its buffers: an idle connection holds none. Before, each connection kept two 64 KiB buffers for its lifetime:
 * 256 MiB at 2,000 connections, beyond the JVM's 1 GiB of direct memory at 10,000, and a takeover that adopted
 * 2,000 connections spent 1.4 s touching fresh memory (about 250 us a buffer) before relaying a byte. Relay
 * thread only.
 */
final class RelayBuffers {
    /** Free buffers kept for reuse at most; more are dropped (their memory goes with the garbage collector). */
    static final int KEEP = 256;

    private final int bytes;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;

    RelayBuffers(final int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("relay buffers need a positive size, got " + bytes);
        }
        this.bytes = bytes;
    }

    /** An empty buffer of at least {@code atLeast} bytes: a free one when one is as large, else a new one. */
    ByteBuffer take(final int atLeast) {
        if (atLeast <= bytes) {
            final ByteBuffer reused = free.pollLast();
            if (reused != null) {
                return reused.clear();
            }
        }
        allocated++;
        return ByteBuffer.allocateDirect(Math.max(atLeast, bytes));
    }

    /** Takes a buffer back for reuse (one of another size, or beyond {@link #KEEP}, is dropped). */
    void give(final ByteBuffer buffer) {
        if (buffer.capacity() == bytes && free.size() < KEEP) {
            free.addLast(buffer);
        }
    }

    /** The size every buffer has (a larger one is made only for a larger preload). */
    int bytes() {
        return bytes;
    }

    /** Free buffers waiting for reuse now. */
    int free() {
        return free.size();
    }

    /** Buffers allocated so far (reuses not counted). */
    long allocated() {
        return allocated;
    }
}
