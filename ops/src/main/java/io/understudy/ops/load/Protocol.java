package io.understudy.ops.load;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wire protocols the load generator speaks: the demo service's line protocol, RESP for Redis, HTTP/1.1 for a
 * keep-alive web server that numbers the requests of each connection (nginx), memcached's text protocol, or
 * PostgreSQL's (through its JDBC driver).
 */
enum Protocol {
    /** The demo service: "INCR key\n" is answered by "counter value\n", the counter numbering requests from 1. */
    LINE {
        private final Pattern valueReply = Pattern.compile("(\\d{1,18}) (-?\\d{1,19})");
        private final Pattern errorReply = Pattern.compile("(\\d{1,18}) ERR(?: .*)?");

        @Override
        byte[] request(final String host, final String key) {
            return ("INCR " + key + "\n").getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        ParsedReply parse(final String line) {
            final Matcher value = valueReply.matcher(line);
            if (value.matches()) {
                return valueOrCorrupt(value.group(1), value.group(2), line);
            }
            final Matcher error = errorReply.matcher(line);
            return error.matches()
                    ? ParsedReply.error(Long.parseLong(error.group(1)), ParsedReply.quoted(line))
                    : ParsedReply.corrupt(ParsedReply.quoted(line));
        }
    },

    /** Any Redis-compatible server: a RESP array "INCR key" is answered by the integer reply ":value\r\n". */
    RESP {
        private final Pattern valueReply = Pattern.compile(":(-?\\d{1,19})\r");
        private final Pattern errorReply = Pattern.compile("-.*\r");

        @Override
        byte[] request(final String host, final String key) {
            final String request = "*2\r\n$4\r\nINCR\r\n$" + key.length() + "\r\n" + key + "\r\n";
            return request.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        ParsedReply parse(final String line) {
            final Matcher value = valueReply.matcher(line);
            if (value.matches()) {
                return valueOrCorrupt(null, value.group(1), line);
            }
            return errorOrCorrupt(errorReply, line);
        }
    },

    /**
     * An HTTP/1.1 keep-alive server: "GET /key" is answered by a reply framed by Content-Length whose body's first
     * line is the connection's request counter and whose rest is the same in every reply (see {@link HttpReplyReader}).
     */
    HTTP {
        @Override
        byte[] request(final String host, final String key) {
            // An IPv6 literal is bracketed in a Host header, or its colons would read as a port.
            final String hostHeader = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
            final String request = "GET /" + key + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n";
            return request.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        ParsedReply parse(final String line) {
            throw new UnsupportedOperationException("an HTTP reply is not one line: read it with replySource()");
        }

        @Override
        ReplySource replySource(final ReplyReader reader) {
            return new HttpReplyReader(reader);
        }
    },

    /**
     * memcached's text protocol: a new connection sets its key to 0 ("set key 0 0 1" and the data "0", answered
     * "STORED"), then "incr key 1" is answered by the new value in decimal, so the first reply must be 1.
     *
     * <pre>
     *   client sends               server answers
     *   set KEY 0 0 1\r\n0\r\n     STORED\r\n       once, on connect
     *   incr KEY 1\r\n             1\r\n            the new value: digits, no sign, no leading zero
     *                              NOT_FOUND\r\n    or another error line: ERROR, CLIENT_ERROR msg, SERVER_ERROR msg
     * </pre>
     */
    MEMCACHED {
        private final Pattern valueReply = Pattern.compile("(0|[1-9]\\d{0,18})\r");
        private final Pattern errorReply = Pattern.compile("(?:(?:|CLIENT_|SERVER_)ERROR(?: .*)?|NOT_FOUND)\r");

        @Override
        byte[] request(final String host, final String key) {
            return ("incr " + key + " 1\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        byte[] setupRequest(final String key) {
            return ("set " + key + " 0 0 1\r\n0\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        long parseSetupReply(final String key, final String line) throws ProtocolException {
            if (!line.equals("STORED\r")) {
                throw new ProtocolException("memcached did not set key " + key + " to 0 before the first incr: it "
                        + "answered " + ParsedReply.quoted(line) + ", expected 'STORED\\r'");
            }
            return 0;
        }

        @Override
        ParsedReply parse(final String line) {
            final Matcher value = valueReply.matcher(line);
            if (value.matches()) {
                return valueOrCorrupt(null, value.group(1), line);
            }
            return errorOrCorrupt(errorReply, line);
        }
    },

    /**
     * PostgreSQL, through its own JDBC driver ({@link PostgresClient}): each connection sets its row to 0 on connect,
     * then each request increments it and returns the new value. Not a byte protocol spoken here: the driver speaks it.
     */
    POSTGRES {
        @Override
        byte[] request(final String host, final String key) {
            throw new UnsupportedOperationException("PostgreSQL is spoken by its JDBC driver: see PostgresClient");
        }

        @Override
        ParsedReply parse(final String line) {
            throw new UnsupportedOperationException("PostgreSQL is spoken by its JDBC driver: see PostgresClient");
        }
    };

    /** Reads and decodes the replies of one connection, in order. */
    @FunctionalInterface
    interface ReplySource {
        /**
         * The next whole reply from the bytes the reader holds (the caller times the reply out).
         *
         * @throws ReplyReader.NeedMoreBytes when not all of it has arrived yet: rewind and try again with more
         * @throws java.io.EOFException when the server announced it would close the connection
         * @throws ReplyReader.UnframeableReplyException when the stream cannot be split into replies any more
         */
        ParsedReply read() throws IOException;
    }

    /**
     * @return the bytes of one request on key to host (ISO-8859-1, so one char is one byte): INCR, incr for memcached,
     *     or GET for HTTP
     */
    abstract byte[] request(String host, String key);

    /**
     * @return the bytes a new connection sends once, before its first request, to give its key a known value
     *     (memcached: set it to 0); none for a protocol without
     */
    byte[] setupRequest(final String key) {
        return new byte[0];
    }

    /**
     * Checks the answer to {@link #setupRequest}, which only a protocol with one sends.
     *
     * @param line the answer without its "\n", as {@link #parse} takes a reply
     * @return the value the key holds now: the connection's first reply must be one more
     * @throws ProtocolException naming the answer when it is not the success reply (an error, or garbage)
     */
    long parseSetupReply(final String key, final String line) throws ProtocolException {
        throw new UnsupportedOperationException(wireName() + " has no setup request");
    }

    /** @param line one reply line without its "\n" (a "\r" before it is kept, RESP requires it) */
    abstract ParsedReply parse(String line);

    /** @return the reader of this protocol's replies on one connection: one line each, parsed by {@link #parse} */
    ReplySource replySource(final ReplyReader reader) {
        return () -> parse(reader.readLine());
    }

    /** @return the name used on the command line and in the report */
    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static ParsedReply valueOrCorrupt(final String counter, final String value, final String line) {
        try {
            // Nineteen digits can still overflow a long: such a reply is as wrong as any other garbage.
            return ParsedReply.value(
                    counter == null ? ParsedReply.NO_COUNTER : Long.parseLong(counter), Long.parseLong(value));
        } catch (final NumberFormatException ex) {
            return ParsedReply.corrupt(ParsedReply.quoted(line));
        }
    }

    /** A line that ends in "\r" (RESP, memcached): an error reply when errorReply matches it, else corrupted. */
    private static ParsedReply errorOrCorrupt(final Pattern errorReply, final String line) {
        if (errorReply.matcher(line).matches()) {
            // The "\r" is the protocol's line end here, not part of the message.
            return ParsedReply.error(ParsedReply.NO_COUNTER, ParsedReply.quoted(line.substring(0, line.length() - 1)));
        }
        return ParsedReply.corrupt(ParsedReply.quoted(line));
    }
}
