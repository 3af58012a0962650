package io.understudy.ops.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the replies of one connection, each within its own deadline: reply lines, and for HTTP bodies of a known
 * length. Every byte before a line's "\n" is kept (a "\r" too), so the protocol can tell an exact reply from a
 * damaged one.
 */
final class ReplyReader {
    /** Far more than any reply line or HTTP header line: a longer line means the stream is garbage. */
    static final int MAX_REPLY_BYTES = 4096;

    private final Socket socket;
    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private final byte[] line = new byte[MAX_REPLY_BYTES];
    private int position;
    private int limit;

    ReplyReader(final Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /**
     * Blocks until a whole reply line arrived or the deadline passed.
     *
     * @return the line without its "\n", decoded as ISO-8859-1 (one char per byte)
     * @throws SocketTimeoutException when the deadline passes first
     * @throws EOFException when the server closes the connection first
     * @throws UnframeableReplyException when the line exceeds {@link #MAX_REPLY_BYTES}
     */
    String readLine(final long deadlineNs) throws IOException {
        int length = 0;
        while (true) {
            if (position == limit) {
                fill(deadlineNs);
            }
            final byte next = buffer[position++];
            if (next == '\n') {
                return new String(line, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (length == MAX_REPLY_BYTES) {
                throw new UnframeableReplyException();
            }
            line[length++] = next;
        }
    }

    /**
     * Blocks until length more bytes arrived, copied into target from offset, or the deadline passed. Returns as soon
     * as they are there, so a reply of known length never makes the reader wait for bytes after it.
     *
     * @throws SocketTimeoutException when the deadline passes first
     * @throws EOFException when the server closes the connection first
     */
    void readFully(final byte[] target, final int offset, final int length, final long deadlineNs) throws IOException {
        int copied = 0;
        while (copied < length) {
            if (position == limit) {
                fill(deadlineNs);
            }
            final int chunk = Math.min(length - copied, limit - position);
            System.arraycopy(buffer, position, target, offset + copied, chunk);
            position += chunk;
            copied += chunk;
        }
    }

    private void fill(final long deadlineNs) throws IOException {
        final long remainingNs = deadlineNs - System.nanoTime();
        if (remainingNs <= 0) {
            throw new SocketTimeoutException("no complete reply before the reply timeout");
        }
        // The timeout bounds the whole reply, not each read: a server trickling bytes must not extend it.
        socket.setSoTimeout((int) Math.max(1, (remainingNs + 999_999) / 1_000_000));
        final int read = in.read(buffer, 0, buffer.length);
        if (read < 0) {
            throw new EOFException("server closed the connection while a reply was due");
        }
        position = 0;
        limit = read;
    }

    /**
     * A reply the stream cannot be split at any more: a line longer than {@link #MAX_REPLY_BYTES}, or an HTTP reply
     * whose length is unknown, too large or unreadable. The connection counts it as corrupted and stops, since
     * reading on would take the next bytes for a reply they do not belong to.
     */
    static final class UnframeableReplyException extends IOException {
        private static final long serialVersionUID = 1L;

        UnframeableReplyException() {
            this("reply line longer than " + MAX_REPLY_BYTES + " bytes");
        }

        UnframeableReplyException(final String message) {
            super(message);
        }
    }
}
