package io.understudy.ops.demo;

/**
 * What the demo service does for one request: the result text (sent after the request counter) and what happens to
 * the connection afterwards.
 */
record Reply(String result, AfterReply after) {

    /** What happens to the connection once the reply is handled. */
    enum AfterReply {
        /** Send the reply and read the next request. */
        KEEP_OPEN,
        /** Send the reply, then close normally with a FIN. */
        CLOSE,
        /** Send nothing and abort the connection with a TCP RST. */
        ABORT
    }

    static Reply ok(final String result) {
        return new Reply(result, AfterReply.KEEP_OPEN);
    }

    static Reply error(final String reason) {
        return new Reply("ERR " + reason, AfterReply.KEEP_OPEN);
    }
}
