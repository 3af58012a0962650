package io.understudy.logger;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads {@link LogProtocol} frames from a blocking stream. Bytes are kept in its own buffer until a whole frame is
 * there, so a read that times out (SocketTimeoutException) loses nothing and the next call goes on. The body of a
 * frame is valid until the next read.
 */
final class FrameInput {
    private final InputStream in;
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int limit;
    private int bodyOffset;
    private int bodyLength;

    FrameInput(final InputStream in) {
        this.in = in;
    }

    /**
     * Reads the next frame and returns its kind.
     *
     * @throws EOFException        when the peer closed the connection.
     * @throws UnderstudyException when the length field is out of range.
     */
    int read() throws IOException {
        fill(Integer.BYTES);
        final long length = Integer.toUnsignedLong(body().getInt(start));
        if (length < 1 || length > LogProtocol.MAX_FRAME_LENGTH) {
            throw new UnderstudyException("frame length=" + length + ", expected 1.." + LogProtocol.MAX_FRAME_LENGTH);
        }
        fill(Integer.BYTES + (int) length);
        final int kind = buffer[start + Integer.BYTES] & 0xFF;
        bodyOffset = start + LogProtocol.HEADER_LENGTH;
        bodyLength = (int) length - 1;
        start += Integer.BYTES + (int) length;
        return kind;
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
        if (bodyLength != expectedLength) {
            throw new UnderstudyException(LogProtocol.kindName(kind) + " body length=" + bodyLength
                + ", expected=" + expectedLength);
        }
        return body().getLong(bodyOffset + position);
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
            final int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                throw new EOFException(limit == start ? "connection closed by peer"
                    : "connection closed by peer in the middle of a frame");
            }
            limit += read;
        }
    }
}
