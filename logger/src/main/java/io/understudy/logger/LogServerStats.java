package io.understudy.logger;

/**
 * What a {@link LogServer} has done since it started, for the admin API and tests.
 *
 * @param appended           records appended for writers.
 * @param duplicatesDropped  records dropped because their seq was at or below lastSeq (already in the log).
 * @param rejected           connections closed with an ERROR for bad input (bad frame, bad handshake, failed
 *                           authentication, a seq jump, corrupt record, a second writer).
 * @param writersConnected   writer connections open now (0 or 1).
 * @param tailsConnected     tail connections open now.
 * @param lastSeq            the highest seq in the log (recovered from the log at start), 0 if none.
 * @param lastIndex          the index of the server's last append, or of the log's last record at start; -1 if none.
 * @param lastError          the last failure (bad input, failed append, failed tail read), or null if none.
 * @param authFailures       handshakes refused because the peer did not prove the key (or offered another mode).
 * @param writersRefused     authenticated writers refused because another writer held the place.
 * @param seqJumpsRefused    writers closed for a RECORD or GAP that broke the contiguous seqs.
 * @param connectionsRefused connections closed at once because {@link LogServerLimits#maxConnections()} were open.
 * @param connectionsOpen    connections open now, in any state (handshaking, writer, tails).
 */
public record LogServerStats(
        long appended,
        long duplicatesDropped,
        long rejected,
        int writersConnected,
        int tailsConnected,
        long lastSeq,
        long lastIndex,
        String lastError,
        long authFailures,
        long writersRefused,
        long seqJumpsRefused,
        long connectionsRefused,
        int connectionsOpen) {}
