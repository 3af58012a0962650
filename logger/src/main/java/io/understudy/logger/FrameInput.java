package io.understudy.logger;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@link LogProtocol} frames from a blocking socket after the handshake, checking each frame's length against
 * the connection's limit before allocating and its MAC before returning it. Bytes are kept in its own buffer until a
 * whole frame is there, so a read that times out while idle (SocketTimeoutException) loses nothing; a frame begun
 * but not completed within {@code frameTimeoutMs} is an error (a slow sender holds no thread for longer). The body
 * of a frame is valid until the next read.
 */
final class FrameInput {
    private static final long NONE = Long.MIN_VALUE;

    private final Socket socket;
    private final InputStream in;
    private final FrameMac mac;
    private final int maxFrameLength;
    private final long frameTimeoutMs;
    private byte[] buffer;
    private int start;
    private int limit;
    private int bodyOffset;
    private int bodyLength;
    private boolean verified;
    private int idleTimeoutMs;
    private long partialSinceNs = NONE;

    /**
     * @param maxFrameLength the most a length field may announce: the largest frame the peer has a reason to send.
     * @param frameTimeoutMs how long a frame may take from its first byte to its last.
     */
    FrameInput(final Socket socket, final FrameMac mac, final int maxFrameLength, final long frameTimeoutMs)
            throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.mac = mac;
        this.maxFrameLength = maxFrameLength;
        this.frameTimeoutMs = frameTimeoutMs;
        this.buffer = new byte[Math.min(64 * 1024, Integer.BYTES + maxFrameLength)];
    }

    /** How long a read waits for the first byte of a frame; 0 waits for ever. */
    void idleTimeoutMs(final int timeoutMs) {
        this.idleTimeoutMs = timeoutMs;
    }

    /**
     * Reads the next frame and returns its kind. An ERROR whose MAC does not verify is returned all the same (see
     * {@link #isVerified()}): it can only end the connection, and a logger refusing a handshake cannot MAC it.
     *
     * @throws EOFException           when the peer closed the connection.
     * @throws SocketTimeoutException when no frame began within the idle timeout.
     * @throws UnderstudyException    when the length field is out of range, the MAC does not verify, or the frame
     *                                was not completed within the frame timeout.
     */
    int read() throws IOException {
        fill(Integer.BYTES);
        final long length = Integer.toUnsignedLong(body().getInt(start));
        final int minLength = 1 + FrameMac.LENGTH;
        if (length < minLength || length > maxFrameLength) {
            throw new UnderstudyException("frame length=" + length + ", expected " + minLength + ".." + maxFrameLength);
        }
        fill(Integer.BYTES + (int) length);
        final int kind = buffer[start + Integer.BYTES] & 0xFF;
        final int macOffset = start + Integer.BYTES + (int) length - FrameMac.LENGTH;
        final long counter = mac.counter();
        verified = mac.verify(buffer, start, macOffset - start, buffer, macOffset);
        bodyOffset = start + LogProtocol.HEADER_LENGTH;
        bodyLength = (int) length - 1 - FrameMac.LENGTH;
        start += Integer.BYTES + (int) length;
        partialSinceNs = limit > start ? System.nanoTime() : NONE;
        if (!verified && kind != LogProtocol.ERROR) {
            throw new UnderstudyException("frame MAC does not verify: kind=" + LogProtocol.kindName(kind) + ", counter="
                    + counter + ", length=" + length + " (forged, altered, replayed or another key)");
        }
        return kind;
    }

    /** Whether the last frame's MAC verified (always true without a key). */
    boolean isVerified() {
        return verified;
    }

    /** The reading thread is in the socket's read now (between frames, or in the middle of one). */
    private volatile boolean blocked;

    /** True while the reading thread waits in the socket's read: what it read so far is handled or held. */
    boolean isBlocked() {
        return blocked;
    }

    /** True when more bytes are there to read without blocking. */
    boolean hasMore() throws IOException {
        return limit > start || in.available() > 0;
    }

    /** The whole buffer, little-endian: the last body starts at {@link #bodyOffset()}. */
    ByteBuffer body() {
        return ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
    }

    byte[] array() {
        return buffer;
    }

    int bodyOffset() {
        return bodyOffset;
    }

    int bodyLength() {
        return bodyLength;
    }

    /** The last body as UTF-8 text, from {@code skip} bytes in. */
    String bodyText(final int skip) {
        return new String(buffer, bodyOffset + skip, bodyLength - skip, StandardCharsets.UTF_8);
    }

    /**
     * The last body's i64 at {@code position}, after checking the body is exactly {@code expectedLength} long.
     *
     * @throws UnderstudyException naming the kind when the length differs.
     */
    long bodyLong(final int kind, final int expectedLength, final int position) {
        checkBodyLength(kind, expectedLength);
        return body().getLong(bodyOffset + position);
    }

    /** @throws UnderstudyException naming the kind when the last body is not {@code expectedLength} long. */
    void checkBodyLength(final int kind, final int expectedLength) {
        if (bodyLength != expectedLength) {
            throw new UnderstudyException(
                    LogProtocol.kindName(kind) + " body length=" + bodyLength + ", expected=" + expectedLength);
        }
    }

    private void fill(final int needed) throws IOException {
        if (limit - start >= needed) {
            return;
        }
        if (buffer.length - start < needed) {
            final byte[] target = needed > buffer.length ? new byte[Math.max(needed, buffer.length * 2)] : buffer;
            System.arraycopy(buffer, start, target, 0, limit - start);
            buffer = target;
            limit -= start;
            start = 0;
        }
        while (limit - start < needed) {
            socket.setSoTimeout(readTimeoutMs(needed));
            final int read;
            blocked = true;
            try {
                read = in.read(buffer, limit, buffer.length - limit);
            } catch (final SocketTimeoutException ex) {
                readTimeoutMs(needed); // throws when a begun frame ran out of time
                throw ex;
            } finally {
                blocked = false;
            }
            if (read < 0) {
                throw new EOFException(
                        limit == start
                                ? "connection closed by peer"
                                : "connection closed by peer in the middle of a frame");
            }
            if (limit == start) {
                partialSinceNs = System.nanoTime();
            }
            limit += read;
        }
    }

    /** The idle timeout before a frame begins; after, what is left of the frame timeout (at most the idle one). */
    private int readTimeoutMs(final int needed) {
        if (limit == start || partialSinceNs == NONE) {
            return idleTimeoutMs;
        }
        final long remainingMs = frameTimeoutMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - partialSinceNs);
        if (remainingMs <= 0) {
            throw new UnderstudyException("frame not completed within frameTimeoutMs=" + frameTimeoutMs + ": "
                    + (limit - start) + " of " + needed + " bytes");
        }
        return (int) (idleTimeoutMs > 0 ? Math.min(idleTimeoutMs, remainingMs) : remainingMs);
    }
}
