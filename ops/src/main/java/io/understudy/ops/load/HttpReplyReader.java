package io.understudy.ops.load;

import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and decodes the HTTP/1.1 replies of one keep-alive connection ({@link Protocol#HTTP}). Only the status, the
 * framing headers and the body are looked at, so headers that change on every reply (Date) are no fault:
 *
 * <pre>
 *   HTTP/1.1 200 OK\r\n            2xx: a reply to check; any other status: an error reply
 *   Date: Tue, 01 Apr 2025 ...\r\n  any header, names in any case, ignored but for:
 *   Content-Length: 4113\r\n         required, at most MAX_BODY_BYTES
 *   Connection: close\r\n            the server closes after this reply: the next read fails as at EOF
 *   \r\n                           end of the head, at most MAX_HEAD_BYTES from the status line on
 *   17\n                           body: the connection's request counter, 1 to 18 digits
 *   ...                            the rest of the body: byte-identical in every reply of the connection
 * </pre>
 *
 * A 2xx body whose counter does not parse or whose rest differs from the connection's first one is corrupted; the
 * reply was framed, so the connection goes on. A reply whose end cannot be known (no or bad Content-Length,
 * Transfer-Encoding, a malformed head, a limit passed) fails with {@link ReplyReader.UnframeableReplyException}: reading on
 * would take its bytes for the next reply, so it counts as corrupted and the connection stops.
 */
final class HttpReplyReader implements Protocol.ReplySource {
    /** Status line and headers: nginx sends a few hundred bytes. */
    static final int MAX_HEAD_BYTES = 16 * 1024;

    static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final int MAX_COUNTER_DIGITS = 18;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3})(?: [^\\r]*)?\\r");

    private final ReplyReader reader;
    private byte[] body = new byte[8 * 1024];
    /** The body after its counter line in the connection's first 2xx reply with a counter; null until then. */
    private byte[] staticPart;

    private boolean serverClosing;

    HttpReplyReader(final ReplyReader reader) {
        this.reader = reader;
    }

    @Override
    public ParsedReply read() throws IOException {
        if (serverClosing) {
            throw new EOFException("server sent Connection: close with the previous reply");
        }
        final Head head = readHead();
        if (head.contentLength() > body.length) {
            body = new byte[Math.min(MAX_BODY_BYTES, Math.max(head.contentLength(), body.length * 2))];
        }
        reader.readFully(body, 0, head.contentLength());
        serverClosing = head.closing();
        return head.status() / 100 == 2
                ? decodeBody(head.contentLength())
                : ParsedReply.error(ParsedReply.NO_COUNTER, "HTTP status " + head.status());
    }

    /** The parts of a reply head that matter here. */
    private record Head(int status, int contentLength, boolean closing) {}

    private Head readHead() throws IOException {
        String line = reader.readLine();
        final Matcher statusLine = STATUS_LINE.matcher(line);
        if (!statusLine.matches()) {
            throw unframeable("not an HTTP/1.1 status line: " + ParsedReply.quoted(line));
        }
        int headBytes = line.length() + 1;
        int contentLength = -1;
        boolean closing = false;
        while (!(line = reader.readLine()).equals("\r")) {
            headBytes += line.length() + 1;
            if (headBytes > MAX_HEAD_BYTES) {
                throw unframeable("reply head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            final int colon = line.indexOf(':');
            if (colon <= 0 || !line.endsWith("\r") || line.charAt(0) <= ' ' || line.charAt(colon - 1) <= ' ') {
                throw unframeable("malformed header line: " + ParsedReply.quoted(line));
            }
            if (hasName(line, colon, "Content-Length")) {
                contentLength = contentLength(headerValue(line, colon), contentLength);
            } else if (hasName(line, colon, "Transfer-Encoding")) {
                throw unframeable("Transfer-Encoding " + ParsedReply.quoted(headerValue(line, colon))
                        + ": only replies framed by Content-Length are read");
            } else if (hasName(line, colon, "Connection")) {
                closing |= hasCloseToken(headerValue(line, colon));
            }
        }
        if (contentLength < 0) {
            throw unframeable("reply without Content-Length, status " + statusLine.group(1));
        }
        return new Head(Integer.parseInt(statusLine.group(1)), contentLength, closing);
    }

    private ParsedReply decodeBody(final int length) {
        int newline = 0;
        long counter = 0;
        while (newline < length && newline <= MAX_COUNTER_DIGITS && body[newline] >= '0' && body[newline] <= '9') {
            counter = counter * 10 + body[newline++] - '0';
        }
        if (newline == 0 || newline > MAX_COUNTER_DIGITS || newline == length || body[newline] != '\n') {
            return ParsedReply.corrupt("HTTP body whose first line is not a request counter");
        }
        if (staticPart == null) {
            staticPart = Arrays.copyOfRange(body, newline + 1, length);
        } else if (!Arrays.equals(body, newline + 1, length, staticPart, 0, staticPart.length)) {
            return ParsedReply.corrupt("HTTP body with counter " + counter
                    + " differs from the connection's first after its counter line");
        }
        return ParsedReply.counter(counter);
    }

    /** Header names are case-insensitive; the name ends at the colon (no space may precede it). */
    private static boolean hasName(final String line, final int colon, final String name) {
        return colon == name.length() && line.regionMatches(true, 0, name, 0, colon);
    }

    /** @return the value between the colon and the "\r", without the optional white space around it */
    private static String headerValue(final String line, final int colon) {
        return line.substring(colon + 1, line.length() - 1).trim();
    }

    private static int contentLength(final String value, final int earlier) throws IOException {
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw unframeable("malformed Content-Length " + ParsedReply.quoted(value));
        }
        final int length = Integer.parseInt(value);
        if (length > MAX_BODY_BYTES) {
            throw unframeable("Content-Length " + length + " over the limit of " + MAX_BODY_BYTES + " bytes");
        }
        if (earlier >= 0 && earlier != length) {
            throw unframeable("two Content-Length headers: " + earlier + " and " + length);
        }
        return length;
    }

    /** Connection is a comma-separated list of options: "close" among them ends the connection after this reply. */
    private static boolean hasCloseToken(final String value) {
        for (final String option : value.split(",")) {
            if (option.trim().equalsIgnoreCase("close")) {
                return true;
            }
        }
        return false;
    }

    private static ReplyReader.UnframeableReplyException unframeable(final String reason) {
        return new ReplyReader.UnframeableReplyException("cannot frame the HTTP reply: " + reason);
    }
}
