package io.understudy.ops.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes one connection has received and not yet taken as replies, read from a non-blocking channel by
 * {@link #readFrom}. A protocol's parser takes lines and bodies of known length from it; when the
 * bytes of a reply are not all there yet, the parser is stopped by {@link NeedMoreBytes} and the caller {@link
 * #rewind}s to the reply's start, to parse it whole once more bytes arrived. Every byte before a line's "\n" is kept (a
 * "\r" too), so the protocol can tell an exact reply from a damaged one.
 */
final class ReplyReader {
    /** Far more than any reply line or HTTP header line: a longer line means the stream is garbage. */
    static final int MAX_REPLY_BYTES = 4096;

    /** The most bytes held unparsed: the largest reply any protocol here accepts, with room to read into. */
    static final int MAX_BUFFERED_BYTES =
            HttpReplyReader.MAX_HEAD_BYTES + HttpReplyReader.MAX_BODY_BYTES + 2 * MAX_REPLY_BYTES;

    private byte[] buffer = new byte[2048];
    private final byte[] line = new byte[MAX_REPLY_BYTES];
    /** Where the reply being parsed starts. */
    private int mark;

    private int position;
    private int limit;

    /**
     * Reads what the channel has now, after the bytes held.
     *
     * @return the bytes read, 0 when none were waiting, -1 at the end of the stream
     * @throws UnframeableReplyException when more than {@link #MAX_BUFFERED_BYTES} would be held unparsed
     */
    int readFrom(final ReadableByteChannel channel) throws IOException {
        if (mark > 0) {
            System.arraycopy(buffer, mark, buffer, 0, limit - mark);
            position -= mark;
            limit -= mark;
            mark = 0;
        }
        if (limit == buffer.length) {
            if (buffer.length >= MAX_BUFFERED_BYTES) {
                throw new UnframeableReplyException(
                        "more than " + MAX_BUFFERED_BYTES + " bytes received that do not end a reply");
            }
            buffer = Arrays.copyOf(buffer, Math.min(MAX_BUFFERED_BYTES, buffer.length * 2));
        }
        final int read = channel.read(ByteBuffer.wrap(buffer, limit, buffer.length - limit));
        if (read > 0) {
            limit += read;
        }
        return read;
    }

    /** Marks where the next reply starts: {@link #rewind} comes back here. */
    void mark() {
        mark = position;
    }

    /** Back to the last {@link #mark}, after a parse stopped by {@link NeedMoreBytes}. */
    void rewind() {
        position = mark;
    }

    /** Whether bytes are held that no reply has taken yet. */
    boolean hasUnread() {
        return position < limit;
    }

    /**
     * One whole reply line.
     *
     * @return the line without its "\n", decoded as ISO-8859-1 (one char per byte)
     * @throws NeedMoreBytes when the line's end has not arrived yet
     * @throws UnframeableReplyException when the line exceeds {@link #MAX_REPLY_BYTES}
     */
    String readLine() throws IOException {
        int length = 0;
        while (true) {
            if (position == limit) {
                throw NeedMoreBytes.INSTANCE;
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
     * Copies the next length bytes into target from offset.
     *
     * @throws NeedMoreBytes when they have not all arrived yet
     */
    void readFully(final byte[] target, final int offset, final int length) throws IOException {
        if (limit - position < length) {
            throw NeedMoreBytes.INSTANCE;
        }
        System.arraycopy(buffer, position, target, offset, length);
        position += length;
    }

    /**
     * The reply being parsed has not all arrived: not a failure, the parse is tried again once more bytes came. One
     * instance, without a stack trace: it is thrown for most replies that arrive in more than one read.
     */
    static final class NeedMoreBytes extends IOException {
        private static final long serialVersionUID = 1L;
        static final NeedMoreBytes INSTANCE = new NeedMoreBytes();

        private NeedMoreBytes() {
            super("the reply has not all arrived yet", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
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
