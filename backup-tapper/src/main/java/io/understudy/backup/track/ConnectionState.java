package io.understudy.backup.track;

/**
 * Where a tracked connection is, as the tap saw it.
 */
public enum ConnectionState {
    /** Open: the handshake was seen, or data was seen on a connection already open when capture started. */
    ESTABLISHED,
    /** Both sides sent a FIN and both FINs are in sequence. */
    CLOSED,
    /** A RST was seen. */
    RESET,
    /** A new connection took its 4-tuple before the tap saw it end (its FINs or RST were missed). */
    REPLACED
}
