package io.understudy.logger;

import java.nio.charset.StandardCharsets;

/**
 * The logger's wire protocol, spoken over one TCP connection per writer ({@link LogShipper}) or tail
 * ({@link LogTail}) to a {@link LogServer}. Little-endian. A connection starts with the fixed-size handshake of
 * {@link LogHandshake} (mutual proof of the {@link LogAuth} key); only then come frames of a length, a kind, a body
 * and a MAC ({@link FrameMac}, zeros without a key):
 * <pre>
 *   offset     field   type
 *   ---------  ------  ----
 *          0   length  u32   bytes after this field (kind + body + mac), 17..the receiver's limit (2 MiB at most)
 *          4   kind    u8    below
 *          5   body    length - 17 bytes
 *   length-12  mac     16 B  HMAC-SHA256(session key, direction | frame counter | length..body), first 16 bytes
 * </pre>
 * Kinds and bodies:
 * <pre>
 *   kind  name       direction        body
 *   ----  ---------  ---------------  -------------------------------------------------------------
 *     2   WELCOME    server -> writer i64 lastSeq: the highest seq the log holds, 0 if none
 *     3   RECORD     writer -> server the LogRecordCodec bytes of one ShippedRecord
 *     4   ACK        server -> writer i64 seq appended through, i64 Chronicle index of the last append
 *     5   ERROR      server -> client UTF-8 message; the server then closes the connection
 *     6   TAIL       tail -> server   i64 fromIndex, -1 for the start of the log; then optionally u8 flags:
 *                                     bit 0 (PRIMARY_ONLY) streams only the primary's shipped records
 *     7   ENTRY      server -> tail   i64 index, then the LogRecordCodec bytes of the record there
 *     8   GAP        writer -> server i64 nextSeq: the writer's next RECORD has this seq (it skips those between)
 *     9   KEEPALIVE  writer -> server empty: the writer is alive though it has nothing to ship
 * </pre>
 * A writer waits for WELCOME, then streams RECORDs; the server answers each batch it could read without blocking with
 * one ACK. Seqs are contiguous: a RECORD's seq is lastSeq + 1, or the nextSeq of the GAP just before it (at most
 * {@link LogServerLimits#maxSeqAheadMs()} ahead of the logger's clock); anything else is a jump, refused with an
 * ERROR and never acknowledged. A record whose seq is at or below the log's lastSeq is already in it: the server
 * drops it and still acknowledges it, so a writer may resend everything unacknowledged after a reconnect. A tail
 * sends TAIL and receives ENTRYs until it closes. Bad input (a frame over the limit, a bad MAC, an unknown or
 * unexpected kind, a corrupt record) gets an ERROR and the connection is closed.
 */
final class LogProtocol {
    static final int MAX_FRAME_LENGTH = 2 << 20;
    /** The largest frame a tail sends (TAIL): the logger allows no more from a tail. */
    static final int MAX_TAIL_FRAME_LENGTH = 1 + Long.BYTES + 1 + FrameMac.LENGTH;
    /**
     * TAIL's flag: only the records a primary ships (opened, read, write, ended), none of what the logger's host
     * appends itself. A backup's own tap appends twice as many records as the primary ships into the same log, and
     * streamed them back to its own tail, which had no use for them.
     */
    static final int TAIL_PRIMARY_ONLY = 1;
    /** How often a writer with nothing to ship sends KEEPALIVE; well under the logger's writerSilenceMs. */
    static final long KEEPALIVE_INTERVAL_MS = 250;

    static final int HEADER_LENGTH = 5;
    static final int MAX_NODE_ID_BYTES = 256;
    static final int MAX_ERROR_BYTES = 4096;

    static final int WELCOME = 2;
    static final int RECORD = 3;
    static final int ACK = 4;
    static final int ERROR = 5;
    static final int TAIL = 6;
    static final int ENTRY = 7;
    static final int GAP = 8;
    static final int KEEPALIVE = 9;

    static final int ROLE_WRITER = 1;
    static final int ROLE_TAIL = 2;

    private static final String[] KIND_NAMES = {
        "?", "?", "WELCOME", "RECORD", "ACK", "ERROR", "TAIL", "ENTRY", "GAP", "KEEPALIVE"
    };

    private LogProtocol() {}

    /** A kind's name for messages, e.g. "ACK(4)", or "unknown(9)". */
    static String kindName(final int kind) {
        return (kind >= WELCOME && kind <= KEEPALIVE ? KIND_NAMES[kind] : "unknown") + "(" + kind + ")";
    }

    /** The node id's UTF-8 bytes, checked for the HELLO limit. */
    static byte[] nodeIdBytes(final String nodeId) {
        Checks.notNull("nodeId", nodeId);
        final byte[] bytes = nodeId.getBytes(StandardCharsets.UTF_8);
        Checks.inRange("nodeId.utf8Length", bytes.length, 1, MAX_NODE_ID_BYTES);
        return bytes;
    }
}
