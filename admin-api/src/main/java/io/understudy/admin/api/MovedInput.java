package io.understudy.admin.api;

/**
 * What the old primary needs to go on as the hot replica of one connection after a planned handover, from the new
 * primary: where the restored connection's streams start, and the client bytes its replica was given beyond what the
 * old primary had acknowledged. Carried only in the answer to POST /drills/takeover (authenticated), never in status.
 *
 * @param client       the client's address and port ("198.18.0.10:40000").
 * @param clientOffset client stream offset of the next byte the client sends.
 * @param serverOffset server stream offset of the first byte the new primary's relay sends after its restore.
 * @param takenFrom    client stream offset of the first byte of {@code taken}; -1 when the tap no longer had them.
 * @param taken        client bytes from {@code takenFrom} up to {@code clientOffset} (JSON: base64).
 */
public record MovedInput(String client, long clientOffset, long serverOffset, long takenFrom, byte[] taken) {
    /** The form {@link #client()} takes. */
    public static String client(final java.net.InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
