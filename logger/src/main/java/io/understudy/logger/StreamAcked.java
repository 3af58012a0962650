package io.understudy.logger;

/**
 * The receiver of one direction's stream acknowledged it up to an offset, with the window it offered: what a
 * takeover needs for snd_una and the repair window.
 *
 * @param connectionId Understudy's identifier of the connection.
 * @param timestampNs  when the acknowledgement was seen.
 * @param direction    which stream was acknowledged ({@link Direction#CLIENT_TO_SERVER}: the server acked client
 *                     bytes).
 * @param ackedOffset  stream offset of the first byte not yet acknowledged, 0 or more.
 * @param rawAck       the acknowledgement number as sent, unsigned 32-bit.
 * @param window       the offered window in bytes, already scaled, 0..65535 << 14.
 */
public record StreamAcked(
        long connectionId, long timestampNs, Direction direction, long ackedOffset, long rawAck, long window)
        implements LogRecord {

    /** The largest window TCP can offer: a 16-bit window shifted by the largest scale. */
    public static final long MAX_WINDOW = 0xFFFFL << ConnectionOpened.MAX_WINDOW_SCALE;

    /** Checks every field's range. */
    public StreamAcked {
        Checks.notNull("direction", direction);
        Checks.inRange("ackedOffset", ackedOffset, 0, Long.MAX_VALUE);
        Checks.inRange("rawAck", rawAck, 0, Checks.MAX_UNSIGNED_32);
        Checks.inRange("window", window, 0, MAX_WINDOW);
    }
}
