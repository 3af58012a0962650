package io.understudy.admin.app;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in app on 127.0.0.1: answers every chunk it reads with the current reply, or holds the connection open and
 * says nothing while the reply is null (a hung app).
 */
final class ReplyServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private volatile String reply;

    ReplyServer(final String reply) throws IOException {
        this.reply = reply;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::accept, "reply-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Null: read but never answer. */
    void reply(final String reply) {
        this.reply = reply;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (final Socket socket : accepted) {
            socket.close();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                final Socket socket = server.accept();
                accepted.add(socket);
                final Thread handler = new Thread(() -> answer(socket), "reply-server-conn");
                handler.setDaemon(true);
                handler.start();
            } catch (final IOException ex) {
                return;
            }
        }
    }

    private void answer(final Socket socket) {
        final byte[] buffer = new byte[1024];
        try (socket;
                InputStream in = socket.getInputStream()) {
            while (in.read(buffer) > 0) {
                final String now = reply;
                if (now != null) {
                    socket.getOutputStream().write(now.getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (final IOException ex) {
            return;
        }
    }
}
