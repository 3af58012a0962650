package io.understudy.logger;

import java.nio.charset.StandardCharsets;

/**
 * A connection the log no longer tracks, and why.
 *
 * @param connectionId Understudy's identifier of the connection.
 * @param timestampNs  when the close was seen.
 * @param reason       how it ended.
 * @param detail       free text for operators (e.g. "rst from client"), at most {@link #MAX_DETAIL_BYTES} in
 *                     UTF-8; may be empty.
 */
public record ConnectionClosed(long connectionId, long timestampNs, CloseReason reason, String detail)
        implements LogRecord {

    /** The longest detail, in UTF-8 bytes. */
    public static final int MAX_DETAIL_BYTES = 1024;

    /** Checks the fields. */
    public ConnectionClosed {
        Checks.notNull("reason", reason);
        Checks.notNull("detail", detail);
        Checks.inRange("detail.utf8Length", detail.getBytes(StandardCharsets.UTF_8).length, 0, MAX_DETAIL_BYTES);
    }
}
