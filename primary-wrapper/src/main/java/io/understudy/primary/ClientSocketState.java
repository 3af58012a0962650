package io.understudy.primary;

/**
 * A client socket's state in this host's kernel, read in TCP_REPAIR mode at a handover (what CRIU reads to move a
 * socket): its queues' sequence numbers and bytes, its options and windows, its timestamp clock.
 *
 * @param receiveSequence rcv_nxt: the client's next sequence number (after the receive queue).
 * @param received        the receive queue: acknowledged to the client, not read by the relay.
 * @param writeSequence   write_seq: the sequence number after the last byte written to the socket.
 * @param unacked         the send queue: written and not acknowledged by the client (sent or not).
 * @param mss             the MSS this side sends with.
 * @param clientWindowScale the client's window scale shift, -1 when not negotiated.
 * @param serverWindowScale this side's window scale shift, -1 when not negotiated.
 * @param sackPermitted   SACK was negotiated.
 * @param timestamps      TCP timestamps were negotiated.
 * @param timestamp       this side's TCP timestamp clock now (TCP_TIMESTAMP).
 * @param clientWindow    the client's last advertised window, scaled (snd_wnd).
 * @param serverWindow    the window this side last advertised, scaled (rcv_wnd).
 */
public record ClientSocketState(
        int receiveSequence,
        byte[] received,
        int writeSequence,
        byte[] unacked,
        int mss,
        int clientWindowScale,
        int serverWindowScale,
        boolean sackPermitted,
        boolean timestamps,
        long timestamp,
        long clientWindow,
        long serverWindow) {}
