package io.understudy.primary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One direction of a relayed connection: bytes read from the source wait in a bounded buffer until the sink takes
 * them; the source's end of stream becomes a shutdown of the sink's output once everything before it was written,
 * so a half-close reaches the other side in order. The buffer is borrowed from the relay's {@link RelayBuffers}
 * for a read and given back as soon as nothing waits in it.
 */
final class RelayDirection {
    /** Thrown when one socket of the pair failed; says which, so the other one can be reset in turn. */
    static final class SideFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final SocketChannel side;

        SideFailure(final SocketChannel side, final IOException cause) {
            super(cause.getMessage(), cause);
            this.side = side;
        }
    }

    private final SocketChannel source;
    private final SocketChannel sink;
    /**
     * When the sink is the client: asked before the FIN that ends this direction; false holds the FIN back (the app
     * may have died rather than closed), and the next drain asks again.
     */
    private java.util.function.BooleanSupplier mayShutdownSink = () -> true;

    private final RelayBuffers buffers;
    /** Null while nothing waits: borrowed for a read, given back once the sink took everything. */
    private ByteBuffer buffer;

    private boolean sourceEnded;
    private boolean sinkShut;
    /** Bytes read from the source so far: the stream offset of the next byte the source sends. */
    private long sourceOffset;
    /** Bytes written to the sink so far. */
    private long sinkOffset;

    RelayDirection(final SocketChannel source, final SocketChannel sink, final RelayBuffers buffers) {
        this.source = source;
        this.sink = sink;
        this.buffers = buffers;
    }

    RelayDirection(
            final SocketChannel source, final SocketChannel sink, final RelayBuffers buffers, final byte[] preload) {
        this(source, sink, buffers);
        if (preload.length > 0) {
            buffer = buffers.take(preload.length);
            preload(preload);
        }
    }

    /** How many bytes the next {@link #fill()} may read: 0 when the buffer is full or the source has ended. */
    int room() {
        if (sourceEnded) {
            return 0;
        }
        return buffer == null ? buffers.bytes() : buffer.remaining();
    }

    /** Gives the buffer back when nothing waits in it. */
    private void releaseIfEmpty() {
        if (buffer != null && buffer.position() == 0) {
            buffers.give(buffer);
            buffer = null;
        }
    }

    /** Gives the buffer back whatever it holds: the connection is closed or handed on, nothing moves any more. */
    void release() {
        if (buffer != null) {
            buffers.give(buffer);
            buffer = null;
        }
    }

    /**
     * Reads what the source has, as far as the buffer allows.
     *
     * @return bytes read, 0 when nothing was available or the buffer is full or the source has ended.
     */
    int fill() throws SideFailure {
        if (sourceEnded || buffer != null && !buffer.hasRemaining()) {
            return 0;
        }
        if (buffer == null) {
            buffer = buffers.take(0);
        }
        try {
            final int read = source.read(buffer);
            if (read < 0) {
                sourceEnded = true;
                releaseIfEmpty();
                return 0;
            }
            sourceOffset += read;
            releaseIfEmpty();
            return read;
        } catch (final IOException ex) {
            releaseIfEmpty();
            throw new SideFailure(source, ex);
        }
    }

    /**
     * Writes buffered bytes to the sink; once the source has ended and nothing is left, shuts the sink's output.
     *
     * @return bytes written.
     */
    int drain() throws SideFailure {
        return drain(Long.MAX_VALUE);
    }

    /**
     * Like {@link #drain()}, but writes no byte at or beyond source offset {@code releasedOffset} (output held for
     * the commit).
     */
    int drain(final long releasedOffset) throws SideFailure {
        try {
            int written = 0;
            final long allowed = releasedOffset - sinkOffset;
            if (buffer != null && buffer.position() > 0 && allowed > 0) {
                buffer.flip();
                final int fullLimit = buffer.limit();
                buffer.limit((int) Math.min(fullLimit, allowed));
                written = sink.write(buffer);
                buffer.limit(fullLimit);
                buffer.compact();
                sinkOffset += written;
                releaseIfEmpty();
            }
            if (sourceEnded && !sinkShut && !hasPending() && mayShutdownSink.getAsBoolean()) {
                sink.shutdownOutput();
                sinkShut = true;
            }
            return written;
        } catch (final IOException ex) {
            throw new SideFailure(sink, ex);
        }
    }

    /** Bytes read from the source so far (the offset of the next one). */
    long sourceOffset() {
        return sourceOffset;
    }

    /** Bytes written to the sink so far. */
    long sinkOffset() {
        return sinkOffset;
    }

    boolean sourceEnded() {
        return sourceEnded;
    }

    /**
     * The bytes waiting for the sink, in write mode: the last bytes read end at its position. Valid right after a
     * {@link #fill()} that read something, until the next {@link #drain()}.
     */
    ByteBuffer buffer() {
        return buffer;
    }

    /** A copy of the bytes waiting for the sink (read from the source, not yet written), oldest first. */
    byte[] pendingCopy() {
        if (buffer == null) {
            return new byte[0];
        }
        final byte[] copy = new byte[buffer.position()];
        buffer.duplicate().flip().get(copy);
        return copy;
    }

    void beforeSinkShutdown(final java.util.function.BooleanSupplier gate) {
        mayShutdownSink = gate;
    }

    /** The source ended and everything before its end reached the sink, but the sink's shutdown is held back. */
    boolean isShutdownHeld() {
        return sourceEnded && !sinkShut && !hasPending();
    }

    /** Puts bytes in front of whatever the source sends (a taken-over connection's replica output). */
    void preload(final byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        if (buffer == null) {
            buffer = buffers.take(bytes.length);
        }
        if (bytes.length > buffer.remaining()) {
            throw new IllegalArgumentException("preload of " + bytes.length + " bytes exceeds the relay buffer ("
                    + buffer.remaining() + " bytes free)");
        }
        buffer.put(bytes);
        sourceOffset += bytes.length;
    }

    /**
     * The source ended before this relay had it (a restored connection whose client had sent its FIN): nothing more
     * is read, and the sink's output is shut once what is buffered reached it (a no-op if it is shut already).
     */
    void endSource() {
        sourceEnded = true;
    }

    boolean wantsRead() {
        return !sourceEnded && (buffer == null || buffer.hasRemaining());
    }

    boolean hasPending() {
        return buffer != null && buffer.position() > 0;
    }

    /** True when the source ended and the sink was told so: nothing more will move this way. */
    boolean isFinished() {
        return sinkShut;
    }
}
