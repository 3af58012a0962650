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
 */
public record PrimaryOpened(long connectionId, long timestampNs, long seq, int clientAddress, int clientPort,
    int serverAddress, int serverPort) implements ShippedRecord {

    /** Checks every field's range. */
    public PrimaryOpened {
        Checks.inRange("seq", seq, 1, Long.MAX_VALUE);
        Checks.inRange("clientPort", clientPort, 0, Checks.MAX_PORT);
        Checks.inRange("serverPort", serverPort, 0, Checks.MAX_PORT);
    }
}
