package io.understudy.ops.load;

/**
 * One reply as a {@link Protocol} decoded it: a value (with the server's request counter when the protocol has one),
 * a request counter alone (HTTP), an error reply, or bytes that do not parse.
 *
 * @param description what was wrong with an error or corrupted reply, for a person (the reply quoted); empty for a
 *     value or a counter
 */
record ParsedReply(Kind kind, long counter, long value, String description) {
    /** The counter of a protocol without request counters (RESP), or of a reply that does not carry it. */
    static final long NO_COUNTER = -1;

    private static final int QUOTED_CHARS = 60;

    /** What the reply line turned out to be. */
    enum Kind {
        /** A well-formed INCR result. */
        VALUE,
        /** A well-formed reply that carries only the server's request counter (HTTP): there is no value. */
        COUNTER,
        /** A well-formed error reply (line "ERR", RESP "-", memcached's error lines, an HTTP status other than 2xx). */
        ERROR,
        /** Not a reply the protocol allows: the bytes were damaged or belong to something else. */
        CORRUPT
    }

    static ParsedReply value(final long counter, final long value) {
        return new ParsedReply(Kind.VALUE, counter, value, "");
    }

    static ParsedReply counter(final long counter) {
        return new ParsedReply(Kind.COUNTER, counter, 0, "");
    }

    static ParsedReply error(final long counter, final String description) {
        return new ParsedReply(Kind.ERROR, counter, 0, description);
    }

    static ParsedReply corrupt(final String description) {
        return new ParsedReply(Kind.CORRUPT, NO_COUNTER, 0, description);
    }

    /**
     * @return the start of text in quotes for a message: a carriage return as \r (so a stray or missing one is
     *     seen), any other control or non-ASCII character as '?'
     */
    static String quoted(final String text) {
        final StringBuilder quoted = new StringBuilder("'");
        for (int i = 0; i < Math.min(text.length(), QUOTED_CHARS); i++) {
            final char next = text.charAt(i);
            if (next == '\r') {
                quoted.append("\\r");
            } else {
                quoted.append(next >= ' ' && next < 127 ? next : '?');
            }
        }
        return quoted.append(text.length() > QUOTED_CHARS ? "...'" : "'").toString();
    }
}
