package io.understudy.primary;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * A relayed connection as a planned handover left it on this node: the client's socket as its kernel had it (read
 * in repair mode just before it was closed silently), and the app's side, still open, with what the relay held
 * between the two. The app has had exactly the client's bytes before {@link #clientInputFrom()}, and wrote the server
 * stream up to {@link #serverSent()} plus {@link #serverPending()}: enough for this node to keep following the
 * connection as a hot replica while the other node serves it.
 *
 * @param client          the client's address.
 * @param service         the service address (VIP:port) it reached.
 * @param socket          the client socket's state in the kernel.
 * @param clientInputFrom client stream offset of the first byte the app has not had.
 * @param clientInput     client bytes from there on that this node had: the relay's buffer, then its kernel's
 *                        receive queue (acknowledged to the client, never read).
 * @param serverSent      server stream offset up to which the relay wrote the app's output to the client's socket.
 * @param serverPending   the app's output from there on that the relay held.
 * @param app             the app's side of the connection, open, blocking mode unchanged, registered nowhere.
 * @param clientFinished  the client's input had ended (its FIN read by the relay).
 * @param appFinished     the app's output had ended.
 */
public record MovedConnection(
        InetSocketAddress client,
        InetSocketAddress service,
        ClientSocketState socket,
        long clientInputFrom,
        byte[] clientInput,
        long serverSent,
        byte[] serverPending,
        SocketChannel app,
        boolean clientFinished,
        boolean appFinished) {
    /** Client stream offset of the next byte the client sends (its kernel's rcv_nxt). */
    public long clientEnd() {
        return clientInputFrom + clientInput.length;
    }

    /** The client's sequence number of client stream offset 0. */
    public int clientSequenceBase() {
        return socket.receiveSequence() - (int) clientEnd();
    }

    /** The server's sequence number of server stream offset 0. */
    public int serverSequenceBase() {
        return socket.writeSequence() - (int) serverSent;
    }

    /** Server stream offset of the first byte the client had not acknowledged. */
    public long serverAcked() {
        return serverSent - socket.unacked().length;
    }
}
