package io.understudy.logger;

/**
 * A connection the log now tracks, with what its handshake negotiated: what a takeover needs to rebuild the
 * socket (TCP_REPAIR options). Addresses are IPv4 in network order packed into an int ({@code 198.18.0.1} is
 * {@code 0xC6120001}); sequence numbers are the raw unsigned 32-bit values; -1 marks a value not seen, e.g.
 * every option when the connection was picked up mid-stream ({@code handshakeSeen == false}).
 *
 * @param connectionId      Understudy's identifier of the connection.
 * @param timestampNs       when the connection was first seen.
 * @param clientAddress     client IPv4 address.
 * @param clientPort        client port, 0..65535.
 * @param serverAddress     service (VIP) IPv4 address.
 * @param serverPort        service port, 0..65535.
 * @param handshakeSeen     true when the SYN and SYN-ACK were both seen, so the options below are known.
 * @param clientIsn         client initial sequence number, 0..2^32-1, or -1 when unknown.
 * @param serverIsn         server initial sequence number, 0..2^32-1, or -1 when unknown.
 * @param mss               maximum segment size announced by the client, 0..65535, or -1 when unknown.
 * @param clientWindowScale client's window scale shift, 0..14, or -1 when unknown or not negotiated.
 * @param serverWindowScale server's window scale shift, 0..14, or -1 when unknown or not negotiated.
 * @param sackPermitted     true when both sides offered SACK.
 * @param timestamps        true when both sides offered TCP timestamps.
 */
public record ConnectionOpened(
        long connectionId,
        long timestampNs,
        int clientAddress,
        int clientPort,
        int serverAddress,
        int serverPort,
        boolean handshakeSeen,
        long clientIsn,
        long serverIsn,
        int mss,
        int clientWindowScale,
        int serverWindowScale,
        boolean sackPermitted,
        boolean timestamps)
        implements LogRecord {

    /** The largest window scale shift TCP allows (RFC 7323). */
    public static final int MAX_WINDOW_SCALE = 14;

    /** Checks every field's range. */
    public ConnectionOpened {
        Checks.inRange("clientPort", clientPort, 0, Checks.MAX_PORT);
        Checks.inRange("serverPort", serverPort, 0, Checks.MAX_PORT);
        Checks.unknownOrInRange("clientIsn", clientIsn, 0, Checks.MAX_UNSIGNED_32);
        Checks.unknownOrInRange("serverIsn", serverIsn, 0, Checks.MAX_UNSIGNED_32);
        Checks.unknownOrInRange("mss", mss, 0, Checks.MAX_PORT);
        Checks.unknownOrInRange("clientWindowScale", clientWindowScale, 0, MAX_WINDOW_SCALE);
        Checks.unknownOrInRange("serverWindowScale", serverWindowScale, 0, MAX_WINDOW_SCALE);
    }
}
