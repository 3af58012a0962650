package io.understudy.ops.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a connection's input into "\n"-terminated request lines of bounded length. Bytes are decoded as ISO-8859-1
 * so every byte maps to one char and back, whatever the client sends.
 */
final class RequestLineReader {
    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private byte[] line = new byte[256];

    /** @param maxLineBytes the most bytes a line may have before its "\n" (a "\r" counts) */
    RequestLineReader(final InputStream in, final int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Blocks until a whole line has arrived.
     *
     * @return the line without "\n" and without a trailing "\r", or null at end of stream (an incomplete last line
     *     is dropped: only complete lines are requests)
     * @throws LineTooLongException as soon as the line exceeds the limit, without waiting for its end
     */
    String readLine() throws IOException {
        int length = 0;
        while (true) {
            if (position == limit && !fill()) {
                return null;
            }
            final byte next = buffer[position++];
            if (next == '\n') {
                return decode(length);
            }
            if (length == maxLineBytes) {
                throw new LineTooLongException(maxLineBytes);
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(line.length * 2, maxLineBytes));
            }
            line[length++] = next;
        }
    }

    private boolean fill() throws IOException {
        final int read = in.read(buffer, 0, buffer.length);
        if (read < 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }

    private String decode(final int length) {
        final int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return new String(line, 0, end, StandardCharsets.ISO_8859_1);
    }
}
