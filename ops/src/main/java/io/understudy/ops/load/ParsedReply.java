package io.understudy.ops.load;

/**
 * One reply line as a {@link Protocol} decoded it: a value (with the server's request counter when the protocol has
 * one), an error reply, or bytes that do not parse.
 */
record ParsedReply(Kind kind, long counter, long value) {
    /** The counter of a protocol without request counters (RESP). */
    static final long NO_COUNTER = -1;

    /** What the reply line turned out to be. */
    enum Kind {
        /** A well-formed INCR result. */
        VALUE,
        /** A well-formed error reply (line "ERR", RESP "-"). */
        ERROR,
        /** Not a reply the protocol allows: the bytes were damaged or belong to something else. */
        CORRUPT
    }

    static ParsedReply value(final long counter, final long value) {
        return new ParsedReply(Kind.VALUE, counter, value);
    }

    static ParsedReply error(final long counter) {
        return new ParsedReply(Kind.ERROR, counter, 0);
    }

    static ParsedReply corrupt() {
        return new ParsedReply(Kind.CORRUPT, NO_COUNTER, 0);
    }
}
