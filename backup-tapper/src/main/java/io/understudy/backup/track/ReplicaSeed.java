package io.understudy.backup.track;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * A connection this node served until a planned handover, to be followed from now on as a hot replica: this node's
 * app has had exactly the client's bytes before {@link #clientFedOffset()} and wrote the server stream up to
 * {@link #serverSentOffset()} plus {@link #serverAhead()}, as the new primary's app did. Sequence numbers and options
 * come from this node's kernel (the client socket read in repair mode before it was closed silently).
 *
 * @param client             the client's address.
 * @param service            the service address (VIP:port).
 * @param clientSequenceBase the client's sequence number of client stream offset 0.
 * @param serverSequenceBase the server's sequence number of server stream offset 0.
 * @param mss                the MSS the server side sends with.
 * @param clientWindowScale  the client's window scale shift, -1 when not negotiated.
 * @param serverWindowScale  the server's window scale shift, -1 when not negotiated.
 * @param sackPermitted      SACK was negotiated.
 * @param timestamps         TCP timestamps were negotiated.
 * @param serverTimestamp    the server side's last TCP timestamp value.
 * @param clientWindow       the client's last advertised window, scaled.
 * @param serverWindow       the server's last advertised window, scaled.
 * @param clientFedOffset    client stream offset of the first byte the app has not had.
 * @param clientBytes        the client's bytes from there on, up to the next byte the client sends.
 * @param serverAckedOffset  server stream offset of the first byte the client has not acknowledged.
 * @param serverUnacked      the server's bytes from there on that were written for the client.
 * @param serverAhead        the app's output after those, not yet written for the client.
 * @param app                this node's connection to its app for this client, open.
 */
public record ReplicaSeed(
        InetSocketAddress client,
        InetSocketAddress service,
        int clientSequenceBase,
        int serverSequenceBase,
        int mss,
        int clientWindowScale,
        int serverWindowScale,
        boolean sackPermitted,
        boolean timestamps,
        long serverTimestamp,
        long clientWindow,
        long serverWindow,
        long clientFedOffset,
        byte[] clientBytes,
        long serverAckedOffset,
        byte[] serverUnacked,
        byte[] serverAhead,
        SocketChannel app) {
    /** Client stream offset of the next byte the client sends. */
    public long clientEndOffset() {
        return clientFedOffset + clientBytes.length;
    }

    /** Server stream offset up to which the server's bytes were written for the client. */
    public long serverSentOffset() {
        return serverAckedOffset + serverUnacked.length;
    }

    public ConnectionKey key() {
        return new ConnectionKey(ipv4(client), client.getPort(), ipv4(service), service.getPort());
    }

    private static int ipv4(final InetSocketAddress address) {
        final byte[] bytes = address.getAddress().getAddress();
        if (bytes.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
    }
}
