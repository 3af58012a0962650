package io.understudy.primary;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP link on loopback between the shipper and a real logger whose shipper-to-logger direction can stall, as a
 * logger on a busy host falls behind: bytes wait in the kernel, the logger acks nothing new, its acks still flow back.
 */
final class StallingLink implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean stalled;

    StallingLink(final InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::accept, "stalling-link-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    /** From now on, nothing more goes from the shipper to the logger until {@link #resume()}. */
    void stall() {
        stalled = true;
    }

    void resume() {
        stalled = false;
    }

    private void accept() {
        try {
            while (!listener.isClosed()) {
                final Socket shipper = listener.accept();
                final Socket logger = new Socket(target.getAddress(), target.getPort());
                shipper.setTcpNoDelay(true);
                logger.setTcpNoDelay(true);
                sockets.add(shipper);
                sockets.add(logger);
                copy(shipper, logger, true);
                copy(logger, shipper, false);
            }
        } catch (final IOException closed) {
            // the test closed the link
        }
    }

    private void copy(final Socket from, final Socket to, final boolean stallable) {
        final Thread thread = new Thread(
                () -> {
                    final byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        while (true) {
                            final int read = in.read(buffer);
                            if (read < 0) {
                                return;
                            }
                            // held after the read, not before it: a read that was already waiting when the link stalled
                            // must not carry bytes that arrive later past the stall
                            while (stallable && stalled) {
                                Thread.sleep(1);
                            }
                            out.write(buffer, 0, read);
                        }
                    } catch (final IOException | InterruptedException ended) {
                        // one side closed
                    }
                },
                "stalling-link-copy");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (final Socket socket : sockets) {
            socket.close();
        }
    }
}
