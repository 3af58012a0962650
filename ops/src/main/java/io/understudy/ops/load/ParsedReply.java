package io.understudy.ops.load;

/**
 * One reply as a {@link Protocol} decoded it: a value (with the server's request counter when the protocol has one),
 * a request counter alone (HTTP), an error reply, or bytes that do not parse.
 */
record ParsedReply(Kind kind, long counter, long value) {
    /** The counter of a protocol without request counters (RESP), or of a reply that does not carry it. */
    static final long NO_COUNTER = -1;

    /** What the reply line turned out to be. */
    enum Kind {
        /** A well-formed INCR result. */
        VALUE,
        /** A well-formed reply that carries only the server's request counter (HTTP): there is no value. */
        COUNTER,
        /** A well-formed error reply (line "ERR", RESP "-", an HTTP status other than 2xx). */
        ERROR,
        /** Not a reply the protocol allows: the bytes were damaged or belong to something else. */
        CORRUPT
    }

    static ParsedReply value(final long counter, final long value) {
        return new ParsedReply(Kind.VALUE, counter, value);
    }

    static ParsedReply counter(final long counter) {
        return new ParsedReply(Kind.COUNTER, counter, 0);
    }

    static ParsedReply error(final long counter) {
        return new ParsedReply(Kind.ERROR, counter, 0);
    }

    static ParsedReply corrupt() {
        return new ParsedReply(Kind.CORRUPT, NO_COUNTER, 0);
    }
}
