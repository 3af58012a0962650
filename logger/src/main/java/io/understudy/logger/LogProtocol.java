package io.understudy.logger;

import java.nio.charset.StandardCharsets;

/**
 * The logger's wire protocol, spoken over one TCP connection per writer ({@link LogShipper}) or tail
 * ({@link LogTail}) to a {@link LogServer}. Little-endian. Every frame is a length, a kind and a body:
 * <pre>
 *   offset  field   type
 *   ------  ------  ----
 *        0  length  u32   bytes after this field (kind + body), 1..2 MiB
 *        4  kind    u8    below
 *        5  body    length - 1 bytes
 * </pre>
 * Kinds and bodies:
 * <pre>
 *   kind  name     direction        body
 *   ----  -------  ---------------  ---------------------------------------------------------------
 *     1   HELLO    client -> server u8 role (1 writer, 2 tail), then the node id in UTF-8 (1..256 B)
 *     2   WELCOME  server -> writer i64 lastSeq: the highest seq the log holds, 0 if none
 *     3   RECORD   writer -> server the LogRecordCodec bytes of one ShippedRecord
 *     4   ACK      server -> writer i64 seq appended through, i64 Chronicle index of the last append
 *     5   ERROR    server -> client UTF-8 message; the server then closes the connection
 *     6   TAIL     tail -> server   i64 fromIndex, -1 for the start of the log
 *     7   ENTRY    server -> tail   i64 index, then the LogRecordCodec bytes of the record there
 * </pre>
 * A writer sends HELLO, waits for WELCOME, then streams RECORDs; the server answers each batch it could read
 * without blocking with one ACK. A tail sends HELLO then TAIL and receives ENTRYs until it closes. A record whose
 * seq is at or below the log's lastSeq is already in it: the server drops it and still acknowledges it, so a
 * writer may resend everything unacknowledged after a reconnect. Bad input (a frame over 2 MiB, an unknown or
 * unexpected kind, a bad HELLO, a corrupt record) gets an ERROR and the connection is closed.
 */
final class LogProtocol {
    static final int MAX_FRAME_LENGTH = 2 << 20;
    static final int HEADER_LENGTH = 5;
    static final int MAX_NODE_ID_BYTES = 256;
    static final int MAX_ERROR_BYTES = 4096;

    static final int HELLO = 1;
    static final int WELCOME = 2;
    static final int RECORD = 3;
    static final int ACK = 4;
    static final int ERROR = 5;
    static final int TAIL = 6;
    static final int ENTRY = 7;

    static final int ROLE_WRITER = 1;
    static final int ROLE_TAIL = 2;

    private static final String[] KIND_NAMES = {"?", "HELLO", "WELCOME", "RECORD", "ACK", "ERROR", "TAIL", "ENTRY"};

    private LogProtocol() {
    }

    /** A kind's name for messages, e.g. "ACK(4)", or "unknown(9)". */
    static String kindName(final int kind) {
        return (kind >= HELLO && kind <= ENTRY ? KIND_NAMES[kind] : "unknown") + "(" + kind + ")";
    }

    /** The node id's UTF-8 bytes, checked for the HELLO limit. */
    static byte[] nodeIdBytes(final String nodeId) {
        Checks.notNull("nodeId", nodeId);
        final byte[] bytes = nodeId.getBytes(StandardCharsets.UTF_8);
        Checks.inRange("nodeId.utf8Length", bytes.length, 1, MAX_NODE_ID_BYTES);
        return bytes;
    }
}
