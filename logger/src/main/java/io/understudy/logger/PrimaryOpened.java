package io.understudy.logger;

/**
 * The primary accepted a client connection. Addresses are IPv4 in network order packed into an int, as in
 * {@link ConnectionOpened}.
 *
 * @param connectionId  the primary's identifier of the connection.
 * @param timestampNs   when the connection was accepted.
 * @param seq           the writer's sequence number, greater than 0.
 * @param clientAddress client IPv4 address.
 * @param clientPort    client port, 0..65535.
 * @param serverAddress service (VIP) IPv4 address.
 * @param serverPort    service port, 0..65535.
 * @param mss               the MSS the primary sends with (its kernel's TCP_INFO), -1 unknown.
 * @param clientWindowScale the client's window scale shift, -1 unknown or not negotiated.
 * @param serverWindowScale the primary's window scale shift, -1 unknown or not negotiated.
 * @param sackPermitted     SACK was negotiated.
 * @param timestamps        TCP timestamps were negotiated.
 * @param optionsKnown      the five fields before come from the primary's kernel; false: unknown, ignore them.
 * @param clientStartOffset client stream offset of the first byte this log can hold: 0 for a connection the primary
 *                          accepted, where the restored socket started for one it adopted at a takeover.
 */
public record PrimaryOpened(
        long connectionId,
        long timestampNs,
        long seq,
        int clientAddress,
        int clientPort,
        int serverAddress,
        int serverPort,
        int mss,
        int clientWindowScale,
        int serverWindowScale,
        boolean sackPermitted,
        boolean timestamps,
        boolean optionsKnown,
        long clientStartOffset)
        implements ShippedRecord {

    /** A connection the primary accepted: its log starts at client offset 0. */
    public PrimaryOpened(
            final long connectionId,
            final long timestampNs,
            final long seq,
            final int clientAddress,
            final int clientPort,
            final int serverAddress,
            final int serverPort,
            final int mss,
            final int clientWindowScale,
            final int serverWindowScale,
            final boolean sackPermitted,
            final boolean timestamps,
            final boolean optionsKnown) {
        this(
                connectionId,
                timestampNs,
                seq,
                clientAddress,
                clientPort,
                serverAddress,
                serverPort,
                mss,
                clientWindowScale,
                serverWindowScale,
                sackPermitted,
                timestamps,
                optionsKnown,
                0);
    }

    /** Checks every field's range. */
    public PrimaryOpened {
        Checks.inRange("clientStartOffset", clientStartOffset, 0, Long.MAX_VALUE);
        Checks.inRange("seq", seq, 1, Long.MAX_VALUE);
        Checks.inRange("clientPort", clientPort, 0, Checks.MAX_PORT);
        Checks.inRange("serverPort", serverPort, 0, Checks.MAX_PORT);
        Checks.inRange("mss", mss, -1, 65535);
        Checks.inRange("clientWindowScale", clientWindowScale, -1, ConnectionOpened.MAX_WINDOW_SCALE);
        Checks.inRange("serverWindowScale", serverWindowScale, -1, ConnectionOpened.MAX_WINDOW_SCALE);
    }

    /** A connection whose negotiated options are unknown. */
    public PrimaryOpened(
            final long connectionId,
            final long timestampNs,
            final long seq,
            final int clientAddress,
            final int clientPort,
            final int serverAddress,
            final int serverPort) {
        this(
                connectionId,
                timestampNs,
                seq,
                clientAddress,
                clientPort,
                serverAddress,
                serverPort,
                -1,
                -1,
                -1,
                false,
                false,
                false,
                0);
    }
}
