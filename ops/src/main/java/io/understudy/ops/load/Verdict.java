package io.understudy.ops.load;

/** How the checker classified one reply. */
enum Verdict {
    /** Exactly the next counter and value. */
    OK,
    /** A counter or value beyond the next one: a request or its effect was lost. */
    SKIPPED,
    /** A counter or value not beyond the previous one: a request was applied twice or a reply replayed. */
    REPEATED,
    /** A reply that does not parse: bytes were damaged. */
    CORRUPTED,
    /** An error reply from the server. */
    ERROR
}
